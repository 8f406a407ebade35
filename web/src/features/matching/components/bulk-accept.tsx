import { useState } from 'react'
import { CheckCheckIcon, Loader2Icon } from 'lucide-react'
import { toast } from 'sonner'
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { errorMessage } from '@/lib/api'
import { countOf } from '@/lib/format'
import { useDebounced } from '@/lib/use-debounced'
import { parseThreshold, similarityText } from '../hooks/keys'
import { useBulkAccept, useBulkPreview } from '../hooks/queries'

export const DEFAULT_THRESHOLD = '0.9'

function ConfirmBulk({ open, onOpenChange, count, threshold, onConfirm }: { open: boolean; onOpenChange: (o: boolean) => void; count: number; threshold: number; onConfirm: () => void }) {
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      <AlertDialogContent data-testid="bulk-accept-dialog">
        <AlertDialogHeader>
          <AlertDialogTitle>Accept {countOf(count, 'cutout')}?</AlertDialogTitle>
          <AlertDialogDescription>
            Every unmatched cutout whose best candidate has a similarity of at least {similarityText(threshold)} is matched to that product, and its crop
            joins the product's images as a cutout. You can still unmatch one on the Cutouts page.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Cancel</AlertDialogCancel>
          <AlertDialogAction onClick={onConfirm} data-testid="bulk-accept-confirm">
            Accept {countOf(count, 'cutout')}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}

/** A similarity threshold (slider and number), how many cutouts it would accept as it moves, then accept them after a confirm. */
export function BulkAccept({ collectionId, disabled }: { collectionId: number; disabled: boolean }) {
  const [text, setText] = useState(DEFAULT_THRESHOLD)
  const [asking, setAsking] = useState(false)
  const threshold = parseThreshold(useDebounced(text, 150))
  const preview = useBulkPreview(collectionId, threshold)
  const accept = useBulkAccept()
  const count = threshold !== null && preview.data?.threshold === threshold ? preview.data.count : null
  const run = () => {
    if (threshold === null) return
    accept.mutate(
      { collectionId, threshold },
      { onSuccess: ({ accepted }) => toast.success(`Accepted ${countOf(accepted, 'cutout')}`), onError: (e) => toast.error(errorMessage(e)) },
    )
  }
  return (
    <div className="flex flex-wrap items-center gap-3" data-testid="bulk-accept">
      <label htmlFor="bulk-threshold-range" className="text-sm font-medium whitespace-nowrap">Bulk accept at ≥</label>
      <input id="bulk-threshold-range" type="range" min={0.5} max={1} step={0.005} value={parseThreshold(text) ?? 0.9} onChange={(e) => setText(e.target.value)} className="w-32 accent-primary" aria-label="Threshold slider" data-testid="bulk-threshold-range" />
      <Input type="number" min={0} max={1} step={0.001} value={text} onChange={(e) => setText(e.target.value)} className="h-8 w-24 tabular-nums" aria-label="Threshold" aria-invalid={parseThreshold(text) === null} data-testid="bulk-threshold" />
      <span className="min-w-28 text-sm text-muted-foreground tabular-nums" data-testid="bulk-preview" data-count={count ?? ''}>
        {parseThreshold(text) === null ? 'A number from 0 to 1' : count === null ? 'Counting…' : `${countOf(count, 'cutout')} would match`}
      </span>
      <Button size="sm" onClick={() => setAsking(true)} disabled={disabled || !count || accept.isPending} data-testid="bulk-accept-open">
        {accept.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <CheckCheckIcon aria-hidden />}
        Accept{count ? ` ${count}` : ''}
      </Button>
      {threshold !== null && count !== null ? <ConfirmBulk open={asking} onOpenChange={setAsking} count={count} threshold={threshold} onConfirm={run} /> : null}
    </div>
  )
}
