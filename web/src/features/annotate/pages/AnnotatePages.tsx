/**
 * The annotate pages: the queue (pick a dataset, see how far it is, continue where annotating left
 * off) and the editor for one dataset image.
 */
import { ArrowRightIcon, DatabaseIcon } from 'lucide-react'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { toast } from 'sonner'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Progress } from '@/components/ui/progress'
import { errorMessage, type Dataset } from '@/lib/api'
import { AnnotationEditor } from '../components/annotation-editor'
import { useImageToOpen, useQueueDatasets } from '../hooks/queries'
import { shapeWordsFor } from '../hooks/shape-words'

function DatasetRow({ dataset }: { dataset: Dataset }) {
  const navigate = useNavigate()
  const [busy, setBusy] = useState(false)
  const imageToOpen = useImageToOpen()
  const counts = dataset.status_counts
  const done = (counts.completed ?? 0) + (counts.skipped ?? 0)
  const remaining = dataset.image_count - done

  async function open() {
    setBusy(true)
    try {
      const imageId = await imageToOpen(dataset.id)
      if (imageId === null) toast.info('This dataset has no images yet.')
      else navigate(`/od/annotate/${dataset.id}/${imageId}`)
    } catch (error) {
      toast.error(errorMessage(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card className="flex flex-wrap items-center gap-4 p-4" data-testid="queue-dataset">
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline gap-2">
          <Link to={`/od/datasets/${dataset.id}`} className="truncate font-medium hover:underline">
            {dataset.name}
          </Link>
          <span className="text-xs text-muted-foreground">
            {dataset.image_count.toLocaleString('en-US')} images · {shapeWordsFor(dataset.annotation_type).count(dataset.annotation_count)}
          </span>
        </div>
        <div className="mt-2 flex items-center gap-3">
          <Progress value={dataset.progress * 100} className="max-w-md" aria-label={`${dataset.name} progress`} />
          <span className="text-xs tabular-nums text-muted-foreground">{Math.round(dataset.progress * 100)}%</span>
        </div>
        <p className="mt-1.5 text-xs text-muted-foreground">
          {counts.completed ?? 0} completed · {counts.skipped ?? 0} skipped · {counts.in_progress ?? 0} in progress · {counts.new ?? 0} new
        </p>
      </div>
      <Button onClick={() => void open()} disabled={busy || dataset.image_count === 0} variant={remaining > 0 ? 'default' : 'outline'}>
        {remaining > 0 ? (done > 0 || (counts.in_progress ?? 0) > 0 ? 'Continue' : 'Start') : 'Review'}
        <ArrowRightIcon />
      </Button>
    </Card>
  )
}

export function AnnotateQueuePage() {
  const datasets = useQueueDatasets()
  return (
    <div>
      <PageHeader
        eyebrow="Object detection"
        title="Annotate"
        description="Pick a dataset and work through its images; Continue opens the first image not yet completed or skipped."
      />
      {datasets.isPending ? (
        <LoadingState />
      ) : datasets.isError ? (
        <ErrorState error={datasets.error} onRetry={() => void datasets.refetch()} />
      ) : datasets.data.length === 0 ? (
        <EmptyState
          icon={<DatabaseIcon />}
          title="No datasets yet"
          description="Create a dataset and add images to it, then come back here to annotate."
          action={
            <Button asChild variant="outline">
              <Link to="/od/datasets">Go to datasets</Link>
            </Button>
          }
        />
      ) : (
        <div className="grid gap-3">
          {datasets.data.map((d) => (
            <DatasetRow key={d.id} dataset={d} />
          ))}
        </div>
      )}
    </div>
  )
}

export function AnnotateEditorPage() {
  const { datasetId, imageId } = useParams()
  // Keyed by image: each image gets a fresh editor (its own history, autosave and canvases).
  return <AnnotationEditor key={`${datasetId}/${imageId}`} datasetId={Number(datasetId)} imageId={Number(imageId)} />
}
