import type { Neighbour } from '@/lib/api'
import { cn } from '@/lib/utils'
import { productThumbnailUrl } from '../api'

function Thumb({ imageId, label, tone, testId }: { imageId: number; label: string; tone: 'query' | 'hit' | 'miss'; testId: string }) {
  return (
    <figure className="flex w-20 shrink-0 flex-col gap-0.5" data-testid={testId} data-tone={tone}>
      <img
        src={productThumbnailUrl(imageId)}
        alt={label}
        loading="lazy"
        className={cn(
          'aspect-square w-20 rounded border-2 bg-muted object-contain',
          tone === 'query' && 'border-slate-400',
          tone === 'hit' && 'border-emerald-500',
          tone === 'miss' && 'border-red-400',
        )}
      />
      <figcaption className="truncate text-[10px] text-muted-foreground tabular-nums">{label}</figcaption>
    </figure>
  )
}

/**
 * A query image and its nearest neighbours, each framed green when it shows the query's product and red
 * when it does not.
 */
export function NeighbourStrip({ queryImageId, productId, neighbours, showQuery = true }: { queryImageId: number; productId: number; neighbours: Neighbour[]; showQuery?: boolean }) {
  return (
    <div className="flex items-start gap-2 overflow-x-auto" data-testid="neighbour-strip">
      {showQuery ? <Thumb imageId={queryImageId} label={`query · p${productId}`} tone="query" testId="strip-query" /> : null}
      {neighbours.map((n, i) => (
        <Thumb
          key={`${n.image_id}-${i}`}
          imageId={n.image_id}
          label={`${i + 1}. p${n.product_id} · ${n.score.toFixed(2)}`}
          tone={n.product_id === productId ? 'hit' : 'miss'}
          testId="strip-neighbour"
        />
      ))}
      {neighbours.length === 0 ? <p className="self-center text-xs text-muted-foreground">No neighbours.</p> : null}
    </div>
  )
}
