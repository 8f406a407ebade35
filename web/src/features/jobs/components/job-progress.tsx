import { Progress } from '@/components/ui/progress'
import { isActiveJob, type Job } from '@/lib/api'
import { formatPercent } from '@/lib/format'
import { cn } from '@/lib/utils'

const BAR_COLOR: Record<Job['status'], string> = {
  queued: 'bg-muted-foreground/40',
  running: 'bg-primary',
  succeeded: 'bg-success',
  failed: 'bg-destructive',
  cancelled: 'bg-warning',
}

/** Progress bar with the job's stage and percentage. */
export function JobProgress({ job, className, compact = false }: { job: Job; className?: string; compact?: boolean }) {
  const stage = job.stage ?? (isActiveJob(job) ? (job.status === 'queued' ? 'Waiting for a worker' : 'Working') : null)
  return (
    <div className={cn('flex min-w-32 flex-col gap-1', className)}>
      <Progress
        value={job.progress * 100}
        aria-label={`${job.kind} progress`}
        indicatorClassName={BAR_COLOR[job.status]}
      />
      {!compact || stage ? (
        <div className="flex items-center justify-between gap-2 text-xs text-muted-foreground">
          <span className="truncate">{stage ?? ''}</span>
          <span className="tabular-nums">{formatPercent(job.progress)}</span>
        </div>
      ) : null}
    </div>
  )
}
