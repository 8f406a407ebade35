import { Progress } from '@/components/ui/progress'
import { epochLabel } from '@/features/training'
import type { PrTrainingRun } from '@/lib/api'
import { formatPercent } from '@/lib/format'
import { cn } from '@/lib/utils'
import { batchLabel } from '../hooks/charts'

const BAR_COLOR: Record<string, string> = {
  queued: 'bg-muted-foreground/40',
  running: 'bg-primary',
  succeeded: 'bg-success',
  failed: 'bg-destructive',
  cancelled: 'bg-warning',
}

/** The run's progress bar with its epoch and batch counters and percentage. */
export function RunProgress({ run, className }: { run: PrTrainingRun; className?: string }) {
  const batch = batchLabel(run)
  return (
    <div className={cn('flex min-w-40 flex-col gap-1', className)} data-testid="pr-run-progress">
      <Progress value={run.progress * 100} aria-label={`${run.name} progress`} indicatorClassName={BAR_COLOR[run.status]} />
      <div className="flex items-center justify-between gap-2 text-xs text-muted-foreground">
        <span className="truncate" data-testid="pr-run-epoch">
          {epochLabel(run)}
          {batch ? ` · ${batch}` : ''}
        </span>
        <span className="tabular-nums">{formatPercent(run.progress)}</span>
      </div>
    </div>
  )
}
