import { ArrowLeftIcon } from 'lucide-react'
import { Link, useParams, useSearchParams } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import type { ShelfBox } from '@/lib/api'
import { cn } from '@/lib/utils'
import { ShelfPhoto, type PhotoBox } from '../components/shelf-photo'
import { readMatchParams } from '../hooks/page-params'
import { useShelfImage } from '../hooks/queries'
import { boxLabel, countKinds, type BoxKind } from '../hooks/shelf-labels'

const BOX_STYLE: Record<BoxKind, string> = {
  matched: 'border-[3px] border-solid border-emerald-500',
  predicted: 'border-[3px] border-dashed border-amber-400',
  rejected: 'border-2 border-dotted border-red-400/70',
  unknown: 'border-2 border-dashed border-white/70',
}
const TAG_STYLE: Record<BoxKind, string> = {
  matched: 'bg-emerald-600 text-white',
  predicted: 'bg-amber-400 text-black',
  rejected: 'bg-red-500/80 text-white',
  unknown: 'bg-zinc-700/80 text-white',
}
const LEGEND: [BoxKind, string][] = [
  ['matched', 'Matched (solid)'],
  ['predicted', 'Predicted (dashed, with similarity)'],
  ['rejected', 'Rejected'],
  ['unknown', 'No candidate'],
]

function toPhotoBox(b: ShelfBox): PhotoBox {
  const label = boxLabel(b)
  return {
    key: b.cutout_id,
    box: b.box,
    className: cn('shadow-[0_0_0_1px_rgba(0,0,0,0.45)]', BOX_STYLE[label.kind]),
    testId: 'shelf-box',
    data: { 'data-kind': label.kind, 'data-sku': label.sku ?? '', 'data-cutout-id': String(b.cutout_id) },
    label: (
      <span className={cn('absolute -top-px left-0 max-w-[16rem] -translate-y-full truncate rounded-t-sm px-1 py-px font-mono text-[11px] leading-4 whitespace-nowrap', TAG_STYLE[label.kind])} data-testid="shelf-box-label">
        {label.text}
      </span>
    ),
  }
}

function Legend({ boxes }: { boxes: ShelfBox[] }) {
  const counts = countKinds(boxes)
  return (
    <ul className="flex flex-wrap gap-4 text-xs text-muted-foreground" data-testid="shelf-legend">
      {LEGEND.map(([kind, text]) => (
        <li key={kind} className="inline-flex items-center gap-1.5" data-testid={`legend-${kind}`} data-count={counts[kind]}>
          <span className={cn('inline-block size-3 rounded-[2px]', BOX_STYLE[kind], kind === 'unknown' && 'border-zinc-400')} aria-hidden />
          {text}: <span className="font-medium text-foreground tabular-nums">{counts[kind]}</span>
        </li>
      ))}
    </ul>
  )
}

/** One shelf photo with every product box labelled with its matched or predicted SKU. */
export function ShelfImagePage() {
  const imageId = Number(useParams().imageId)
  const [search] = useSearchParams()
  const { collectionId } = readMatchParams(search)
  const view = useShelfImage(imageId, collectionId)
  const back = `/matching?${new URLSearchParams({ ...(collectionId !== null ? { collection: String(collectionId) } : {}), tab: 'photos' }).toString()}`
  return (
    <div>
      <PageHeader
        eyebrow="Matching · shelf photo"
        title={view.data?.image.filename ?? `Shelf photo #${imageId}`}
        description="Every product box on the photo with the SKU it is matched to, or the one its embedding predicts."
        actions={<Button variant="outline" asChild><Link to={back}><ArrowLeftIcon aria-hidden /> Matching</Link></Button>}
      />
      {view.isError ? (
        <Card><ErrorState error={view.error} title="Could not load this shelf photo" onRetry={() => void view.refetch()} /></Card>
      ) : view.isPending ? (
        <LoadingState />
      ) : (
        <Card className="flex flex-col gap-3 p-4" data-testid="shelf-view">
          <Legend boxes={view.data.boxes} />
          {/* Room above the top row of boxes for their labels. */}
          <div className="overflow-auto pt-5">
            <ShelfPhoto
              src={view.data.image.file_url}
              alt={`Shelf photo ${view.data.image.filename}`}
              width={view.data.image.width}
              height={view.data.image.height}
              boxes={view.data.boxes.map(toPhotoBox)}
              imgClassName="w-full"
              // As large as fits: the page's width, and a height that leaves the header in view.
              style={{ width: `min(100%, calc(70vh * ${view.data.image.width / Math.max(1, view.data.image.height)}))` }}
            />
          </div>
        </Card>
      )}
    </div>
  )
}
