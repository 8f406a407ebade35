import { useMemo, useState } from 'react'
import { Loader2Icon, PlusIcon, RotateCwIcon } from 'lucide-react'
import { Link } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useSession } from '@/features/auth'
import { TRAINING_STATUSES, type TrainingStatus } from '@/lib/api'
import { RunsTable } from '../components/runs-table'
import { useTrainingRuns } from '../hooks/queries'

const ALL = 'all'

function StatusFilter({ value, onChange }: { value: TrainingStatus | null; onChange: (s: TrainingStatus | null) => void }) {
  return (
    <Select value={value ?? ALL} onValueChange={(v) => onChange(v === ALL ? null : (v as TrainingStatus))}>
      <SelectTrigger className="w-40" aria-label="Filter by status" data-testid="run-status-filter">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>All statuses</SelectItem>
        {TRAINING_STATUSES.map((s) => (
          <SelectItem key={s} value={s}>
            {s.charAt(0).toUpperCase() + s.slice(1)}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

export function TrainingRunsPage() {
  const [status, setStatus] = useState<TrainingStatus | null>(null)
  const runs = useTrainingRuns(status)
  const session = useSession()
  const canTrain = session.data ? session.data.user.role !== 'viewer' : false
  const items = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data])
  const total = runs.data?.pages[0]?.total ?? null
  return (
    <div>
      <PageHeader
        eyebrow="Object detection"
        title="Training"
        description="Detectors trained on frozen dataset versions. Open a run for its live curves and log."
        actions={
          <>
            <StatusFilter value={status} onChange={setStatus} />
            <Button variant="outline" size="icon" aria-label="Refresh" onClick={() => void runs.refetch()}>
              <RotateCwIcon className={runs.isFetching ? 'animate-spin' : undefined} aria-hidden />
            </Button>
            {canTrain ? (
              <Button asChild data-testid="new-run">
                <Link to="/od/training/new">
                  <PlusIcon aria-hidden /> New training run
                </Link>
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
        <span>{items.length > 0 ? `Showing ${items.length}${total !== null ? ` of ${total}` : ''} runs` : null}</span>
        {runs.hasNextPage ? (
          <Button variant="outline" size="sm" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Load more
          </Button>
        ) : null}
      </div>
    </div>
  )
}
