import { useCallback, useState, type FormEvent } from 'react'
import { LinkIcon, Loader2Icon, PlayIcon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { CancelJobButton, JobProgress, useJobFinished, useLiveJob } from '@/features/jobs'
import { FieldError, FormField } from '@/features/training'
import type { EmbedModel, Job } from '@/lib/api'
import { extractResultOf, extractResultText } from '../hooks/extract-form'
import { useEmbeddingsChanged } from '../hooks/queries'
import { useExtractForm } from '../hooks/use-extract-form'
import { DomainChoices, ModelSelect, SourceChoices } from './extract-fields'

/** The extraction job this page started: progress, cancel, and what it did. */
function ExtractJob({ jobId, collectionId }: { jobId: number; collectionId: number }) {
  const { job } = useLiveJob(jobId)
  const changed = useEmbeddingsChanged()
  const onFinish = useCallback(
    (done: Job) => {
      changed()
      const result = extractResultOf(done)
      if (done.status === 'succeeded') toast.success(result ? `Extraction done: ${extractResultText(result)}` : 'Extraction done')
      else if (done.status === 'failed') toast.error(`Extraction failed: ${done.error ?? 'see the job log'}`)
    },
    [changed],
  )
  useJobFinished(job.data, onFinish)
  if (!job.data) return null
  const result = extractResultOf(job.data)
  return (
    <div className="flex flex-col gap-2 rounded-md border bg-muted/30 p-3" data-testid="extract-job" data-status={job.data.status}>
      <div className="flex items-center gap-3">
        <JobProgress job={job.data} className="flex-1" />
        <CancelJobButton job={job.data} testId="cancel-extract" />
      </div>
      {result ? (
        <div className="flex items-center justify-between gap-3">
          <p className="text-sm" data-testid="extract-result">{extractResultText(result)}</p>
          <Button size="sm" variant="outline" asChild>
            <Link to={`/matching?collection=${collectionId}`} data-testid="extract-open-matching">
              <LinkIcon aria-hidden /> Open matching
            </Link>
          </Button>
        </div>
      ) : null}
      {job.data.status === 'failed' ? <p className="text-sm text-destructive">{job.data.error}</p> : null}
    </div>
  )
}

/** Choose a model, what to embed and where; Extract starts the job and follows it. */
export function ExtractPanel({ models, canWrite }: { models: EmbedModel[]; canWrite: boolean }) {
  const [started, setStarted] = useState<{ jobId: number; collectionId: number } | null>(null)
  const { form, edit, errors, submit, starting } = useExtractForm(models, setStarted)
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    submit()
  }
  return (
    <Card>
      <CardHeader>
        <CardTitle>Extract embeddings</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate data-testid="extract-form">
          <div className="grid gap-4 md:grid-cols-2">
            <ModelSelect models={models} value={form.model} collection={form.collection} onChange={(model) => edit({ model })} errors={errors} />
            <FormField id="extract-collection" label="Collection" field="collection" errors={errors} hint="Optional: the model's own collection when empty.">
              <Input id="extract-collection" value={form.collection} onChange={(e) => edit({ collection: e.target.value })} placeholder="default" data-testid="extract-collection" />
            </FormField>
            <SourceChoices value={form.sources} onChange={(sources) => edit({ sources })} errors={errors} />
            <DomainChoices value={form.domains} onChange={(domains) => edit({ domains })} />
          </div>
          <FieldError errors={errors} field="" />
          <div className="flex items-end gap-3">
            <FormField id="extract-batch" label="Batch size" field="batch_size" errors={errors}>
              <Input id="extract-batch" type="number" min={1} max={256} value={form.batchSize} onChange={(e) => edit({ batchSize: e.target.value })} className="w-28" data-testid="extract-batch" />
            </FormField>
            <Button type="submit" disabled={!canWrite || starting} data-testid="start-extract">
              {starting ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlayIcon aria-hidden />}
              Extract
            </Button>
            {!canWrite ? <span className="text-sm text-muted-foreground">Viewers can look but not extract.</span> : null}
          </div>
          {started !== null ? <ExtractJob key={started.jobId} jobId={started.jobId} collectionId={started.collectionId} /> : null}
        </form>
      </CardContent>
    </Card>
  )
}
