import { BanIcon, CheckCircle2Icon, LinkIcon } from 'lucide-react'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import type { MatchQueueSort } from '@/lib/api'
import { useMatchKeys } from '../hooks/use-match-keys'
import { useWorkbench } from '../hooks/use-workbench'
import { CandidateList } from './candidate-list'
import { CutoutFocus } from './cutout-focus'
import { KeyHints } from './key-hints'
import { ProductSearch } from './product-search'
import { QueueStrip } from './queue-strip'

type Bench = ReturnType<typeof useWorkbench>

function Decide({ bench, canWrite }: { bench: Bench; canWrite: boolean }) {
  const item = bench.current
  if (!item) return null
  return (
    <div className="flex min-w-0 flex-col gap-3" data-testid="decide">
      <h2 className="text-sm font-semibold">Which product is it?</h2>
      <CandidateList candidates={item.candidates} disabled={!canWrite} onPick={(c) => bench.confirmProduct(c.product)} />
      <ProductSearch inputRef={bench.searchRef} disabled={!canWrite} onPick={bench.confirmProduct} />
      <Button variant="outline" onClick={bench.rejectCurrent} disabled={!canWrite} data-testid="reject-current">
        <BanIcon aria-hidden /> Not a product <kbd className="ml-1 rounded border bg-muted px-1 font-mono text-[11px]">R</kbd>
      </Button>
    </div>
  )
}

/** The queue of one collection: a strip to move through, the crop and its shelf place, the candidates; keyboard first. */
export function Workbench({ collectionId, sort, canWrite }: { collectionId: number; sort: MatchQueueSort; canWrite: boolean }) {
  const bench = useWorkbench(collectionId, sort)
  // Viewers may move through the queue; deciding is for annotators and admins.
  useMatchKeys((action) => (canWrite || action.type === 'move' ? bench.act(action) : undefined), true)
  const { queue } = bench
  if (queue.isError) return <Card><ErrorState error={queue.error} title="Could not load the queue" onRetry={() => void queue.refetch()} /></Card>
  if (queue.isPending) return <LoadingState />
  if (!bench.current)
    return (
      <Card>
        <EmptyState icon={<CheckCircle2Icon aria-hidden />} title="Nothing left to match" description="Every cutout of this collection is matched or rejected. New cutouts appear here once their embeddings are extracted." />
      </Card>
    )
  return (
    <Card className="flex flex-col gap-3 p-4" data-testid="workbench">
      <div className="grid grid-cols-[12rem_minmax(0,1fr)_minmax(20rem,24rem)] gap-4">
        <QueueStrip items={bench.items} index={bench.index} onSelect={bench.select} />
        <CutoutFocus cutout={bench.current.cutout} collectionId={collectionId} />
        <Decide bench={bench} canWrite={canWrite} />
      </div>
      <div className="flex items-center justify-between gap-3 border-t pt-3">
        <KeyHints />
        <span className="inline-flex items-center gap-1 text-xs text-muted-foreground" data-testid="queue-position">
          <LinkIcon className="size-3" aria-hidden /> {bench.index + 1} of {bench.items.length}
          {queue.hasNextPage ? '+' : ''} in the queue
        </span>
      </div>
    </Card>
  )
}
