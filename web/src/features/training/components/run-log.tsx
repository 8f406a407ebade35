import { useEffect, useRef } from 'react'
import { RadioIcon } from 'lucide-react'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { useJobLogs, useLiveJob, useMergedLogs } from '@/features/jobs'
import { isActiveJob, type JobLog } from '@/lib/api'
import { cn } from '@/lib/utils'

const LEVEL_STYLE: Record<string, string> = {
  error: 'text-red-600',
  warning: 'text-amber-600',
  debug: 'text-muted-foreground',
}

function LogLines({ logs }: { logs: JobLog[] }) {
  const box = useRef<HTMLOListElement | null>(null)
  useEffect(() => {
    const el = box.current
    // Follow the tail only when the reader is already near the bottom; scroll the box, never the page.
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 120) el.scrollTop = el.scrollHeight
  }, [logs.length])
  if (logs.length === 0) return <EmptyState title="No log lines yet" />
  return (
    <ol ref={box} className="max-h-80 overflow-auto rounded-md border bg-muted/30 font-mono text-xs" aria-label="Training log" data-testid="run-log">
      {logs.map((log) => (
        <li key={log.id} className="flex gap-3 border-b px-3 py-1 last:border-0">
          <span className="shrink-0 text-muted-foreground tabular-nums">{new Date(log.at).toLocaleTimeString()}</span>
          <span className={cn('w-14 shrink-0 uppercase', LEVEL_STYLE[log.level] ?? 'text-sky-700')}>{log.level}</span>
          <span className="break-all whitespace-pre-wrap">{log.message}</span>
        </li>
      ))}
    </ol>
  )
}

/** The run's job log: the SSE stream while it runs (polling when the stream is not available), the stored lines after. */
export function RunLog({ jobId }: { jobId: number }) {
  const { job, streamState, streamLogs } = useLiveJob(jobId)
  const active = job.data ? isActiveJob(job.data) : false
  const logs = useJobLogs(jobId, active && streamState !== 'open')
  const all = useMergedLogs(logs.data?.items, streamLogs)
  return (
    <div className="flex flex-col gap-2">
      {active ? (
        <Badge variant={streamState === 'open' ? 'success' : 'secondary'} className="w-fit" data-testid="log-stream-state">
          {streamState === 'open' ? (
            <>
              <RadioIcon aria-hidden /> Live
            </>
          ) : (
            'Polling'
          )}
        </Badge>
      ) : null}
      {logs.isPending ? (
        <LoadingState label="Loading the log…" />
      ) : logs.isError ? (
        <ErrorState error={logs.error} onRetry={() => void logs.refetch()} />
      ) : (
        <LogLines logs={all} />
      )}
    </div>
  )
}
