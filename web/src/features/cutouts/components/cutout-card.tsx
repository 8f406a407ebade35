import { memo } from 'react'
import { BanIcon, RotateCcwIcon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { ProductPicker } from '@/features/products'
import { errorMessage, type Cutout } from '@/lib/api'
import { cn } from '@/lib/utils'
import { boxPercent } from '../hooks/logic'
import { useUpdateCutout } from '../hooks/queries'

const STATE_VARIANT = { unmatched: 'secondary', matched: 'success', rejected: 'destructive' } as const

/** The shelf photo's thumbnail with the cutout's box drawn where it was cut. */
export function ShelfPlace({ cutout }: { cutout: Cutout }) {
  const r = boxPercent(cutout.box, cutout.image.width, cutout.image.height)
  return (
    <a href={cutout.image.file_url} target="_blank" rel="noreferrer" className="relative block w-fit max-w-full self-start" title={cutout.image.filename} data-testid="shelf-place">
      <img src={cutout.image.thumbnail_url} alt={`Shelf photo ${cutout.image.filename}`} loading="lazy" className="block max-h-36 w-auto max-w-full rounded-sm" draggable={false} />
      <span className="pointer-events-none absolute border-2 border-amber-400 shadow-[0_0_0_1px_rgba(0,0,0,0.5)]" style={{ left: `${r.left}%`, top: `${r.top}%`, width: `${r.width}%`, height: `${r.height}%` }} data-testid="shelf-box" />
    </a>
  )
}

function Actions({ cutout, canWrite }: { cutout: Cutout; canWrite: boolean }) {
  const update = useUpdateCutout()
  const patch = (p: Parameters<typeof update.mutate>[0]['patch'], done: string) =>
    update.mutate({ id: cutout.id, patch: p }, { onSuccess: () => toast.success(done), onError: (e) => toast.error(errorMessage(e)) })
  if (!canWrite) return null
  return (
    <div className="flex items-center gap-1">
      <ProductPicker value={cutout.product} onChange={(p) => patch({ state: 'matched', product_id: p.id }, `Matched to ${p.name}`)} placeholder="Match to product…" label={`Match cutout ${cutout.id}`} className="h-8 min-w-0 flex-1 text-xs" testId="match-cutout" />
      {cutout.state === 'rejected' || cutout.state === 'matched' ? (
        <Button variant="ghost" size="icon-sm" aria-label="Back to unmatched" title="Back to unmatched" disabled={update.isPending} onClick={() => patch({ state: 'unmatched', product_id: null }, 'Back to unmatched')} data-testid="unmatch-cutout">
          <RotateCcwIcon aria-hidden />
        </Button>
      ) : null}
      {cutout.state !== 'rejected' ? (
        <Button variant="ghost" size="icon-sm" aria-label="Reject" title="Reject: not a product crop" disabled={update.isPending} onClick={() => patch({ state: 'rejected', product_id: null }, 'Rejected')} data-testid="reject-cutout">
          <BanIcon aria-hidden />
        </Button>
      ) : null}
    </div>
  )
}

function Facts({ cutout }: { cutout: Cutout }) {
  return (
    <div className="flex flex-wrap items-center gap-1.5 text-xs">
      <Badge variant={STATE_VARIANT[cutout.state]} data-testid="cutout-state">
        {cutout.state}
      </Badge>
      {cutout.class_name ? <Badge variant="outline">{cutout.class_name}</Badge> : null}
      {cutout.confidence !== null ? <span className="text-muted-foreground tabular-nums">{Math.round(cutout.confidence * 100)}%</span> : null}
      <span className="text-muted-foreground">
        {cutout.width}×{cutout.height} · {cutout.source}
      </span>
      {cutout.product ? (
        <Link to={`/products/${cutout.product.id}`} className="truncate font-medium text-primary hover:underline" data-testid="cutout-product">
          {cutout.product.name}
        </Link>
      ) : null}
    </div>
  )
}

/** One cutout: the crop beside its place on the shelf photo, what it is, and match / reject. */
export const CutoutCard = memo(function CutoutCard({ cutout, selected, onToggle, canWrite }: { cutout: Cutout; selected: boolean; onToggle: (id: number, range: boolean) => void; canWrite: boolean }) {
  return (
    <li className={cn('flex flex-col gap-2 rounded-lg border bg-card p-2 shadow-xs', selected && 'ring-2 ring-primary', cutout.state === 'rejected' && 'opacity-70')} data-testid="cutout-card" data-cutout-id={cutout.id} data-state={cutout.state}>
      <div className="flex items-start gap-2">
        <Checkbox checked={selected} onClick={(e) => onToggle(cutout.id, e.shiftKey)} aria-label={`Select cutout ${cutout.id}`} className="mt-1" data-testid="select-cutout" />
        <a href={cutout.crop_url} target="_blank" rel="noreferrer" className="flex h-36 w-28 shrink-0 items-center justify-center rounded-sm bg-muted" title="The crop">
          <img src={cutout.crop_url} alt={`Cutout ${cutout.id}`} loading="lazy" className="max-h-full max-w-full object-contain" draggable={false} data-testid="cutout-crop" />
        </a>
        <ShelfPlace cutout={cutout} />
      </div>
      <Facts cutout={cutout} />
      <Actions cutout={cutout} canWrite={canWrite} />
    </li>
  )
})
