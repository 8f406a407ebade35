import type * as React from 'react'
import { ArrowLeftIcon } from 'lucide-react'
import { Link, useParams } from 'react-router'
import { JsonView } from '@/components/json-view'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { useCanWrite } from '@/features/products'
import type { PrModel } from '@/lib/api'
import { formatBytes, formatDateTime } from '@/lib/format'
import { ModelActions } from '../components/model-actions'
import { ModelStatus } from '../components/models-table'
import { RetrievalSummary } from '../components/retrieval-summary'
import { usePrModel } from '../hooks/queries'

function BackToModels() {
  return (
    <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
      <Link to="/models">
        <ArrowLeftIcon aria-hidden /> All models
      </Link>
    </Button>
  )
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm tabular-nums">{children}</dd>
    </div>
  )
}

function ModelBody({ model }: { model: PrModel }) {
  return (
    <div className="grid items-start gap-4 lg:grid-cols-3">
      <Card className="lg:col-span-2">
        <CardHeader><CardTitle>Test metrics</CardTitle></CardHeader>
        <CardContent>
          {model.status === 'evaluating' ? (
            <LoadingState label="Evaluating on the run's test products…" />
          ) : (
            <RetrievalSummary metrics={model.test_metrics} testId="pr-model-metrics" />
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader><CardTitle>Details</CardTitle></CardHeader>
        <CardContent className="flex flex-col gap-3">
          <dl className="grid grid-cols-2 gap-3">
            <Fact label="Backbone">{model.backbone}</Fact>
            <Fact label="Embedding">{model.embedding_dim} dimensions</Fact>
            <Fact label="Image size">{model.image_size} px</Fact>
            <Fact label="Size">{formatBytes(model.size_bytes)}</Fact>
            <Fact label="From run">
              {model.run_id !== null ? <Link className="text-primary hover:underline" to={`/training/${model.run_id}`}>{model.run_name ?? `#${model.run_id}`}</Link> : 'Deleted run'}
            </Fact>
            <Fact label="Epoch">{model.epoch ?? '—'}</Fact>
            <Fact label="Registered">{formatDateTime(model.created_at)}</Fact>
          </dl>
          {model.description ? <p className="text-sm whitespace-pre-wrap">{model.description}</p> : null}
          <div className="flex flex-col gap-1">
            <p className="text-xs text-muted-foreground">Preprocessing (what extraction does to an image first)</p>
            <JsonView value={model.preprocessing} />
          </div>
        </CardContent>
      </Card>
    </div>
  )
}

/** One embedding model: its test metrics, backbone, embedding size, preprocessing; edit or delete it. */
export function PrModelDetailPage() {
  const params = useParams()
  const id = Number(params.id)
  const valid = Number.isInteger(id) && id > 0
  const model = usePrModel(valid ? id : null)
  const canWrite = useCanWrite()
  if (!valid || model.isError || model.isPending)
    return (
      <div>
        <BackToModels />
        <PageHeader eyebrow="Product recognition · Models" title={`Model ${params.id ?? ''}`.trim()} />
        {!valid || model.isError ? (
          <ErrorState error={model.error ?? new Error(`"${params.id ?? ''}" is not a model id.`)} onRetry={valid ? () => void model.refetch() : undefined} />
        ) : (
          <LoadingState label="Loading the model…" />
        )}
      </div>
    )
  const m = model.data
  return (
    <div data-testid="pr-model-detail" data-status={m.status}>
      <BackToModels />
      <PageHeader
        eyebrow="Product recognition · Models"
        title={m.name}
        description={`${m.backbone} · ${m.embedding_dim}-d embeddings at ${m.image_size} px`}
        actions={
          <>
            <ModelStatus model={m} />
            {canWrite ? <ModelActions model={m} /> : null}
          </>
        }
      />
      <ModelBody model={m} />
    </div>
  )
}
