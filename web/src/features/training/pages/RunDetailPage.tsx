import type * as React from 'react'
import { ArrowLeftIcon, CpuIcon, DownloadIcon } from 'lucide-react'
import { Link, useParams } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { JobStatusBadge } from '@/features/jobs'
import { modelsApi } from '@/features/models'
import { isActiveJob, type TrainingRun } from '@/lib/api'
import { formatDateTime, formatDuration } from '@/lib/format'
import { RunActions } from '../components/run-actions'
import { LossChart, MapChart } from '../components/run-charts'
import { RunLog } from '../components/run-log'
import { RunProgress } from '../components/run-progress'
import { datasetLabel, formatMetric } from '../hooks/charts'
import { useRunMetrics, useTrainingRun } from '../hooks/queries'

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

function Fact({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  )
}

function Overview({ run }: { run: TrainingRun }) {
  return (
    <div className="grid items-start gap-4 lg:grid-cols-3">
      <TitledCard title="Progress" className="lg:col-span-2">
        <div className="flex flex-col gap-4">
          <RunProgress run={run} />
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            <Fact label="Best mAP50-95" testId="run-best-map50-95">{formatMetric(run.best_metrics?.map50_95)}</Fact>
            <Fact label="Best mAP50">{formatMetric(run.best_metrics?.map50)}</Fact>
            <Fact label="Best epoch">{run.best_epoch ?? '—'}</Fact>
            <Fact label="Latest train loss">{formatMetric(run.latest?.train_loss, 4)}</Fact>
            {run.test_metrics ? <Fact label="Test mAP50-95" testId="run-test-map">{formatMetric(run.test_metrics.map50_95)}</Fact> : null}
            {run.test_metrics ? <Fact label="Test mAP50">{formatMetric(run.test_metrics.map50)}</Fact> : null}
          </dl>
          {run.error ? (
            <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-700">
              {run.error}
            </div>
          ) : null}
        </div>
      </TitledCard>
      <TitledCard title="Details">
        <dl className="grid grid-cols-2 gap-3">
          <Fact label="Architecture">{run.architecture}</Fact>
          <Fact label="Dataset">
            {run.dataset_id !== null ? (
              <Link className="text-primary hover:underline" to={`/od/datasets/${run.dataset_id}`}>
                {datasetLabel(run)}
              </Link>
            ) : (
              datasetLabel(run)
            )}
          </Fact>
          <Fact label="Epochs · batch · size">{`${run.config.epochs} · ${run.config.batch_size} · ${run.config.image_size}`}</Fact>
          <Fact label="Device">{run.config.device}</Fact>
          <Fact label="Started">{formatDateTime(run.started_at)}</Fact>
          <Fact label="Duration">{formatDuration(run.started_at, run.finished_at)}</Fact>
          <Fact label="By">{run.created_by?.username ?? '—'}</Fact>
          <Fact label="Job">{run.job_id ? <Link className="text-primary hover:underline" to={`/jobs/${run.job_id}`}>#{run.job_id}</Link> : '—'}</Fact>
        </dl>
      </TitledCard>
    </div>
  )
}

function ModelLinks({ run }: { run: TrainingRun }) {
  if (run.model_id === null) return null
  return (
    <>
      <Button variant="outline" size="sm" asChild>
        <a href={modelsApi.downloadUrl(run.model_id)} download data-testid="download-model">
          <DownloadIcon aria-hidden /> Download
        </a>
      </Button>
      <Button size="sm" asChild>
        <Link to={`/od/models/${run.model_id}`} data-testid="open-model">
          <CpuIcon aria-hidden /> Open model
        </Link>
      </Button>
    </>
  )
}

function Charts({ run }: { run: TrainingRun }) {
  const metrics = useRunMetrics(run.id, isActiveJob(run), `${run.status}:${run.current_epoch}`)
  if (metrics.isPending) return <LoadingState label="Loading metrics…" />
  if (metrics.isError) return <ErrorState error={metrics.error} onRetry={() => void metrics.refetch()} />
  return (
    <div className="mt-4 grid gap-4 xl:grid-cols-2">
      <TitledCard title="Loss">
        <LossChart metrics={metrics.data} totalEpochs={run.total_epochs} />
      </TitledCard>
      <TitledCard title="Validation mAP">
        <MapChart metrics={metrics.data} totalEpochs={run.total_epochs} />
      </TitledCard>
    </div>
  )
}

function BackToRuns() {
  return (
    <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
      <Link to="/od/training">
        <ArrowLeftIcon aria-hidden /> All runs
      </Link>
    </Button>
  )
}

/** One run: live progress, curves and log; cancel, delete, and its registered model. */
export function TrainingRunPage() {
  const params = useParams()
  const id = Number(params.id)
  const valid = Number.isInteger(id) && id > 0
  const run = useTrainingRun(valid ? id : null)
  if (!valid || run.isError)
    return (
      <div>
        <BackToRuns />
        <PageHeader title={`Training run ${params.id ?? ""}`.trim()} />
        <ErrorState error={run.error ?? new Error(`"${params.id ?? ''}" is not a run id.`)} onRetry={valid ? () => void run.refetch() : undefined} />
      </div>
    )
  if (run.isPending)
    return (
      <div>
        <BackToRuns />
        <PageHeader title={`Training run ${id}`} />
        <LoadingState label="Loading the run…" />
      </div>
    )
  const data = run.data
  return (
    <div>
      <BackToRuns />
      <PageHeader
        eyebrow="Object detection · Training"
        title={data.name}
        description={`${data.architecture} on ${datasetLabel(data)}`}
        actions={
          <>
            <JobStatusBadge status={data.status} />
            <RunActions run={data} />
            <ModelLinks run={data} />
          </>
        }
      />
      <Overview run={data} />
      <Charts run={data} />
      <TitledCard title="Log" className="mt-4">
        {data.job_id !== null ? <RunLog jobId={data.job_id} /> : <p className="text-sm text-muted-foreground">No job yet.</p>}
      </TitledCard>
    </div>
  )
}
