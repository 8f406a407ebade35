import { useMemo, useState } from 'react'
import { Loader2Icon, PlusIcon, RotateCwIcon } from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useCanWrite } from '@/features/products'
import { JOB_STATUSES, type PrRunStatus } from '@/lib/api'
import { CreateRunDialog } from '../components/create-run-dialog'
import { RunsTable } from '../components/runs-table'
import { usePrRuns } from '../hooks/queries'

const ALL = 'all'

function StatusFilter({ value, onChange }: { value: PrRunStatus | null; onChange: (s: PrRunStatus | null) => void }) {
  return (
    <Select value={value ?? ALL} onValueChange={(v) => onChange(v === ALL ? null : (v as PrRunStatus))}>
      <SelectTrigger className="w-40" aria-label="Filter by status" data-testid="pr-run-status-filter">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>All statuses</SelectItem>
        {JOB_STATUSES.map((s) => (
          <SelectItem key={s} value={s}>
            {s.charAt(0).toUpperCase() + s.slice(1)}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

/** Embedding training runs, refreshing every 5 s while one is live; New training run opens the create dialog. */
export function PrRunsPage() {
  const [status, setStatus] = useState<PrRunStatus | null>(null)
  const [creating, setCreating] = useState(false)
  const runs = usePrRuns(status)
  const canWrite = useCanWrite()
  const items = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data])
  const total = runs.data?.pages[0]?.total ?? null
  return (
    <div>
      <PageHeader
        eyebrow="Product recognition"
        title="Embedding training"
        description="Product embeddings trained with metric learning on DINOv2 / DINOv3, evaluated by retrieval on products they never saw."
        actions={
          <>
            <StatusFilter value={status} onChange={setStatus} />
            <Button variant="outline" size="icon" aria-label="Refresh" onClick={() => void runs.refetch()}>
              <RotateCwIcon className={runs.isFetching ? 'animate-spin' : undefined} aria-hidden />
            </Button>
            {canWrite ? (
              <Button onClick={() => setCreating(true)} data-testid="new-pr-run">
                <PlusIcon aria-hidden /> New training run
              </Button>
            ) : null}
          </>
        }
      />
      <Card className="overflow-hidden">
        {runs.isError ? (
          <ErrorState error={runs.error} title="Could not load training runs" onRetry={() => void runs.refetch()} />
        ) : (
          <RunsTable runs={items} pending={runs.isPending} status={status} />
        )}
      </Card>
      <div className="mt-3 flex items-center justify-between text-sm text-muted-foreground">
        <span data-testid="pr-runs-count">{items.length > 0 ? `Showing ${items.length}${total !== null ? ` of ${total}` : ''} runs` : null}</span>
        {runs.hasNextPage ? (
          <Button variant="outline" size="sm" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Load more
          </Button>
        ) : null}
      </div>
      {canWrite ? <CreateRunDialog open={creating} onOpenChange={setCreating} /> : null}
    </div>
  )
}
