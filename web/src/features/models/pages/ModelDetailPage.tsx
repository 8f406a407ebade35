import type * as React from 'react'
import { ArrowLeftIcon } from 'lucide-react'
import { Link, useParams } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { useSession } from '@/features/auth'
import type { TrainedModel } from '@/lib/api'
import { formatBytes, formatDateTime } from '@/lib/format'
import { DeleteModelButton } from '../components/delete-model'
import { InferencePanel } from '../components/inference-panel'
import { ClassMapping, MetricsSummary, PerClassTable } from '../components/metrics-tables'
import { ModelActions } from '../components/model-actions'
import { ModelBadges } from '../components/model-badges'
import { OnnxCard } from '../components/onnx-card'
import { useModel } from '../hooks/queries'

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

function Provenance({ model }: { model: TrainedModel }) {
  const rows: [string, React.ReactNode][] = [
    ['Architecture', <span className="font-mono text-xs">{model.architecture}</span>],
    ['Input size', `${model.input_size} px`],
    ['Auto-annotation key', <span className="font-mono text-xs">{model.key ?? `trained:${model.id}`}</span>],
    ['Trained on', model.dataset_id ? <Link className="text-primary hover:underline" to={`/od/datasets/${model.dataset_id}`}>{model.dataset_name}{model.version_number ? ` v${model.version_number}` : ''}</Link> : '—'],
    ['Training run', model.training_run_id ? <Link className="text-primary hover:underline" to={`/od/training/${model.training_run_id}`} data-testid="model-run-link">Run #{model.training_run_id}</Link> : 'deleted'],
    ['Weights', model.artifact_size ? formatBytes(model.artifact_size) : '—'],
    ['Registered', formatDateTime(model.created_at)],
  ]
  return (
    <dl className="grid grid-cols-2 gap-3 text-sm">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt className="text-xs text-muted-foreground">{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

function BackToModels() {
  return (
    <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
      <Link to="/od/models">
        <ArrowLeftIcon aria-hidden /> All models
      </Link>
    </Button>
  )
}

function ModelBody({ model, canEdit }: { model: TrainedModel; canEdit: boolean }) {
  return (
    <div className="flex flex-col gap-4">
      <div className="grid items-start gap-4 lg:grid-cols-3">
        <TitledCard title="Test metrics" className="lg:col-span-2">
          <MetricsSummary metrics={model.metrics} />
        </TitledCard>
        <TitledCard title="Provenance">
          <Provenance model={model} />
        </TitledCard>
      </div>
      <TitledCard title="Test inference">
        {canEdit ? <InferencePanel model={model} /> : <p className="text-sm text-muted-foreground">Viewers cannot run models; ask an annotator or an admin.</p>}
      </TitledCard>
      <div className="grid items-start gap-4 lg:grid-cols-3">
        <TitledCard title="Per-class AP (test split)" className="lg:col-span-2">
          <PerClassTable metrics={model.metrics} />
        </TitledCard>
        <div className="flex flex-col gap-4">
          <TitledCard title="Export">
            <OnnxCard model={model} />
          </TitledCard>
          <TitledCard title="Class mapping">
            <ClassMapping classes={model.classes} />
          </TitledCard>
        </div>
      </div>
    </div>
  )
}

/** One registered model: metrics, provenance, a live test on an image, export, default and rename. */
export function ModelDetailPage() {
  const params = useParams()
  const id = Number(params.id)
  const valid = Number.isInteger(id) && id > 0
  const model = useModel(valid ? id : null)
  const session = useSession()
  const canEdit = session.data ? session.data.user.role !== 'viewer' : false
  const isAdmin = session.data?.user.role === 'admin'
  if (!valid || model.isError)
    return (
      <div>
        <BackToModels />
        <PageHeader title={`Model ${params.id ?? ""}`.trim()} />
        <ErrorState error={model.error ?? new Error(`"${params.id ?? ''}" is not a model id.`)} />
      </div>
    )
  if (model.isPending)
    return (
      <div>
        <BackToModels />
        <PageHeader title={`Model ${id}`} />
        <LoadingState label="Loading the model…" />
      </div>
    )
  const m = model.data
  return (
    <div>
      <BackToModels />
      <PageHeader
        eyebrow="Object detection · Models"
        title={m.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <ModelBadges model={m} />
            {m.description || `${m.architecture} · ${m.classes.length} classes`}
          </span>
        }
        actions={
          <>
            <ModelActions model={m} canEdit={canEdit} />
            {isAdmin ? <DeleteModelButton model={m} /> : null}
          </>
        }
      />
      <ModelBody model={m} canEdit={canEdit} />
    </div>
  )
}
