import { ArrowLeftIcon, RadioIcon } from 'lucide-react'
import { Link, useParams } from 'react-router'
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { JsonView } from '@/components/json-view'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { isActiveJob, type Job, type JobLog, type JobMetric } from '@/lib/api'
import { formatDateTime, formatDuration } from '@/lib/format'
import { cn } from '@/lib/utils'
import { CancelJobButton } from '../components/cancel-job-button'
import { jobKindLabel } from '../components/job-kind'
import { JobProgress } from '../components/job-progress'
import { JobStatusBadge } from '../components/job-status-badge'
import { useJobLogs, useJobMetrics, useLiveJob, useMergedLogs, type StreamState } from '../hooks/jobs'

const SERIES_COLORS = ['#4f46e5', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6']

function MetricsChart({ metrics }: { metrics: JobMetric[] }) {
  const names = [...new Set(metrics.map((m) => m.name))]
  const byStep = new Map<number, Record<string, number>>()
  metrics.forEach((metric, index) => {
    const step = metric.step ?? index
    const row = byStep.get(step) ?? { step }
    row[metric.name] = metric.value
    byStep.set(step, row)
  })
  const rows = [...byStep.values()].sort((a, b) => (a.step ?? 0) - (b.step ?? 0))
  return (
    <div className="h-72 w-full" data-testid="job-metrics-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="step" tick={{ fontSize: 12 }} />
          <YAxis tick={{ fontSize: 12 }} width={48} />
          <Tooltip />
          <Legend />
          {names.map((name, i) => (
            <Line
              key={name}
              type="monotone"
              dataKey={name}
              stroke={SERIES_COLORS[i % SERIES_COLORS.length]}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}

const LEVEL_STYLE: Record<string, string> = {
  error: 'text-red-600',
  warning: 'text-amber-600',
  debug: 'text-muted-foreground',
}

function LogList({ logs }: { logs: JobLog[] }) {
  if (logs.length === 0) return <EmptyState title="No log lines yet" />
  return (
    <ol className="max-h-96 overflow-auto rounded-md border bg-muted/30 font-mono text-xs" aria-label="Job logs">
      {logs.map((log) => (
        <li key={log.id} className="flex gap-3 border-b px-3 py-1.5 last:border-0">
          <span className="shrink-0 text-muted-foreground tabular-nums">{new Date(log.at).toLocaleTimeString()}</span>
          <span className={cn('w-14 shrink-0 uppercase', LEVEL_STYLE[log.level] ?? 'text-sky-700')}>{log.level}</span>
          <span className="break-all whitespace-pre-wrap">{log.message}</span>
        </li>
      ))}
    </ol>
  )
}

function StreamBadge({ state, job }: { state: StreamState; job: Job }) {
  if (!isActiveJob(job)) return null
  if (state === 'open')
    return (
      <Badge variant="success">
        <RadioIcon aria-hidden /> Live
      </Badge>
    )
  if (state === 'failed') return <Badge variant="secondary">Polling</Badge>
  return <Badge variant="secondary">Connecting…</Badge>
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  )
}

function BackToJobs() {
  return (
    <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
      <Link to="/jobs">
        <ArrowLeftIcon aria-hidden /> All jobs
      </Link>
    </Button>
  )
}

function ProgressAndDetails({ job }: { job: Job }) {
  return (
    <div className="grid items-start gap-4 lg:grid-cols-3">
      <Card className="lg:col-span-2">
        <CardHeader>
          <CardTitle>Progress</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <JobProgress job={job} />
          {job.error ? (
            <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-700">
              {job.error}
            </div>
          ) : null}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Details</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-2 gap-3">
            <Field label="Created">{formatDateTime(job.created_at)}</Field>
            <Field label="Started">{formatDateTime(job.started_at)}</Field>
            <Field label="Finished">{formatDateTime(job.finished_at)}</Field>
            <Field label="Duration">{formatDuration(job.started_at, job.finished_at)}</Field>
            <Field label="Runner">{job.runner}</Field>
            <Field label="Attempt">{job.attempt}</Field>
          </dl>
        </CardContent>
      </Card>
    </div>
  )
}

function TitledCard({ title, className, children }: { title: string; className?: string; children: React.ReactNode }) {
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  )
}

function PayloadAndResult({ job, active }: { job: Job; active: boolean }) {
  return (
    <div className="mt-4 grid gap-4 lg:grid-cols-2">
      <TitledCard title="Payload">
        <JsonView value={job.payload} />
      </TitledCard>
      <TitledCard title="Result">
        {job.result ? (
          <JsonView value={job.result} />
        ) : (
          <p className="text-sm text-muted-foreground">{active ? 'The result appears when the job finishes.' : 'This job produced no result.'}</p>
        )}
      </TitledCard>
    </div>
  )
}

/** A job that is not shown: a bad id, still loading, or an error loading it. */
function NoJob({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div>
      <BackToJobs />
      <PageHeader title={title} />
      {children}
    </div>
  )
}

export function JobDetailPage() {
  const params = useParams()
  const id = Number(params.id)
  const valid = Number.isInteger(id) && id > 0
  const { job, streamState, streamLogs } = useLiveJob(valid ? id : null)
  const active = job.data ? isActiveJob(job.data) : false
  const logs = useJobLogs(valid ? id : null, active && streamState !== 'open')
  const metrics = useJobMetrics(valid ? id : null, active)
  const allLogs = useMergedLogs(logs.data?.items, streamLogs)

  if (!valid) {
    return (
      <NoJob title="Job not found">
        <ErrorState error={new Error(`"${params.id ?? ''}" is not a job id.`)} />
      </NoJob>
    )
  }
  if (job.isPending) {
    return (
      <NoJob title={`Job #${id}`}>
        <LoadingState label="Loading job…" />
      </NoJob>
    )
  }
  if (job.isError) {
    return (
      <NoJob title={`Job #${id}`}>
        <Card>
          <ErrorState error={job.error} title="Could not load this job" onRetry={() => void job.refetch()} />
        </Card>
      </NoJob>
    )
  }

  const data = job.data
  return (
    <div>
      <BackToJobs />
      <PageHeader
        title={`${jobKindLabel(data.kind)} #${data.id}`}
        description={
          <span data-testid="job-detail-label">
            {data.label ? `${data.label} · ` : ''}
            <span className="font-mono text-xs">{data.kind}</span>
          </span>
        }
        actions={
          <>
            <StreamBadge state={streamState} job={data} />
            <JobStatusBadge status={data.status} cancelRequested={data.cancel_requested} />
            <CancelJobButton job={data} testId="cancel-job" />
          </>
        }
      />
      <ProgressAndDetails job={data} />
      {metrics.data && metrics.data.items.length > 0 ? (
        <TitledCard title="Metrics" className="mt-4">
          <MetricsChart metrics={metrics.data.items} />
        </TitledCard>
      ) : null}
      <TitledCard title="Logs" className="mt-4">
        {logs.isPending ? (
          <LoadingState label="Loading logs…" />
        ) : logs.isError ? (
          <ErrorState error={logs.error} onRetry={() => void logs.refetch()} />
        ) : (
          <LogList logs={allLogs} />
        )}
      </TitledCard>
      <PayloadAndResult job={data} active={active} />
    </div>
  )
}
