import type * as React from 'react'
import { Link } from 'react-router'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import type { PrTrainingRun } from '@/lib/api'
import { formatDateTime, formatDuration } from '@/lib/format'
import { bestRecall, formatShare } from '../hooks/charts'
import { RunProgress } from './run-progress'

export function TitledCard({ title, className, children, testId }: { title: string; className?: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card className={className} data-testid={testId}>
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

function latest(run: PrTrainingRun) {
  return run.metrics_history?.length ? run.metrics_history[run.metrics_history.length - 1] : undefined
}

function ProgressCard({ run }: { run: PrTrainingRun }) {
  const last = latest(run)
  return (
    <TitledCard title="Progress" className="lg:col-span-2">
      <div className="flex flex-col gap-4">
        <RunProgress run={run} />
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Fact label="Best val R@1" testId="pr-run-best-recall">{formatShare(bestRecall(run))}</Fact>
          <Fact label="Best val mAP@R">{formatShare(run.best_metrics?.val_map_at_r)}</Fact>
          <Fact label="Best epoch" testId="pr-run-best-epoch">{run.best_epoch ?? '—'}</Fact>
          <Fact label="Latest loss">{typeof last?.loss === 'number' ? last.loss.toFixed(4) : '—'}</Fact>
          <Fact label="Images / s">{typeof last?.images_per_second === 'number' ? last.images_per_second.toFixed(1) : '—'}</Fact>
          <Fact label="Mixed precision">{last?.mixed_precision === undefined || last.mixed_precision === null ? '—' : last.mixed_precision ? 'used' : 'not used'}</Fact>
        </dl>
        {run.error ? (
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-700" data-testid="pr-run-error">
            {run.error}
          </div>
        ) : null}
      </div>
    </TitledCard>
  )
}

function DetailsCard({ run }: { run: PrTrainingRun }) {
  const c = run.config
  return (
    <TitledCard title="Details">
      <dl className="grid grid-cols-2 gap-3">
        <Fact label="Backbone">{`${run.backbone}${run.pretrained ? '' : ' (random init)'}`}</Fact>
        <Fact label="Loss">{c?.loss === 'arcface' ? 'ArcFace' : `ArcFace + triplet (${c?.miner ?? '—'})`}</Fact>
        <Fact label="Batch P × K">{`${c?.products_per_batch ?? '—'} × ${c?.images_per_product ?? '—'}`}</Fact>
        <Fact label="Embedding · image">{`${c?.embedding_dim ?? '—'} · ${c?.image_size ?? '—'} px`}</Fact>
        <Fact label="Device">{c?.device ?? '—'}</Fact>
        <Fact label="Domain weight">{c?.domain_weight ?? '—'}</Fact>
        <Fact label="Started">{formatDateTime(run.started_at)}</Fact>
        <Fact label="Duration">{formatDuration(run.started_at, run.finished_at)}</Fact>
        <Fact label="Job">{run.job_id ? <Link className="text-primary hover:underline" to={`/jobs/${run.job_id}`}>#{run.job_id}</Link> : '—'}</Fact>
        <Fact label="Models">{run.model_count}</Fact>
      </dl>
    </TitledCard>
  )
}

/** The run at a glance: progress and best figures, and what it trains. */
export function RunOverview({ run }: { run: PrTrainingRun }) {
  return (
    <div className="grid items-start gap-4 lg:grid-cols-3">
      <ProgressCard run={run} />
      <DetailsCard run={run} />
    </div>
  )
}
