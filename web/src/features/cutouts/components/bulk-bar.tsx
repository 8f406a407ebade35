import { useState } from 'react'
import { BanIcon, Loader2Icon, RotateCcwIcon, XIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { ProductPicker, type PickedProduct } from '@/features/products'
import { errorMessage, type CutoutBulkRequest } from '@/lib/api'
import { countOf } from '@/lib/format'
import { useBulkCutouts } from '../hooks/queries'

/** What to do with the selected cutouts at once: reject, unmatch, or match them all to one product. */
export function BulkBar({ ids, onDone, onClear }: { ids: number[]; onDone: () => void; onClear: () => void }) {
  const bulk = useBulkCutouts()
  const [target, setTarget] = useState<PickedProduct | null>(null)
  const run = (body: Omit<CutoutBulkRequest, 'ids'>, verb: string) =>
    bulk.mutate(
      { ids, ...body },
      {
        onSuccess: (r) => {
          toast.success(`${verb} ${countOf(r.updated, 'cutout')}`)
          onDone()
        },
        onError: (e) => toast.error(errorMessage(e)),
      },
    )
  return (
    <div className="sticky top-0 z-10 mb-3 flex flex-wrap items-center gap-2 rounded-lg border bg-card px-3 py-2 shadow-sm" data-testid="cutout-bulk-bar">
      <span className="text-sm font-medium" data-testid="selected-count">
        {countOf(ids.length, 'cutout')} selected
      </span>
      {bulk.isPending ? <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Working" /> : null}
      <Button size="sm" variant="destructive" disabled={bulk.isPending} onClick={() => run({ action: 'reject' }, 'Rejected')} data-testid="bulk-reject">
        <BanIcon aria-hidden /> Reject
      </Button>
      <Button size="sm" variant="outline" disabled={bulk.isPending} onClick={() => run({ action: 'unmatch' }, 'Unmatched')} data-testid="bulk-unmatch">
        <RotateCcwIcon aria-hidden /> Unmatch
      </Button>
      <span className="mx-1 h-5 w-px bg-border" aria-hidden />
      <ProductPicker value={target} onChange={setTarget} placeholder="Product to match…" label="Product to match the selection to" className="h-8 w-56 text-xs" testId="bulk-match-product" />
      <Button size="sm" disabled={!target || bulk.isPending} onClick={() => target && run({ action: 'match', product_id: target.id }, `Matched to ${target.name}:`)} data-testid="bulk-match">
        Match
      </Button>
      <Button size="sm" variant="ghost" className="ml-auto" onClick={onClear}>
        <XIcon aria-hidden /> Clear selection
      </Button>
    </div>
  )
}
