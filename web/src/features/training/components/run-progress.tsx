import { Progress } from '@/components/ui/progress'
import type { TrainingRun } from '@/lib/api'
import { formatPercent } from '@/lib/format'
import { cn } from '@/lib/utils'
import { epochLabel, formatEta } from '../hooks/charts'

const BAR_COLOR: Record<string, string> = {
  queued: 'bg-muted-foreground/40',
  running: 'bg-primary',
  succeeded: 'bg-success',
  failed: 'bg-destructive',
  cancelled: 'bg-warning',
}

/** The run's progress bar with its epoch counter, percentage and (while it runs) ETA. */
export function RunProgress({ run, className }: { run: TrainingRun; className?: string }) {
  const eta = run.status === 'running' ? formatEta(run.eta_s) : null
  return (
    <div className={cn('flex min-w-40 flex-col gap-1', className)} data-testid="run-progress">
      <Progress value={run.progress * 100} aria-label={`${run.name} progress`} indicatorClassName={BAR_COLOR[run.status]} />
      <div className="flex items-center justify-between gap-2 text-xs text-muted-foreground">
        <span className="truncate" data-testid="run-epoch">
          {epochLabel(run)}
        </span>
        <span className="tabular-nums">
          {formatPercent(run.progress)}
          {eta ? ` · ${eta} left` : ''}
        </span>
      </div>
    </div>
  )
}
