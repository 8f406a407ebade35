/** A batch run, live: progress per image while it works, then boxes per class and the way to the review queue. */
import { ListChecksIcon, Loader2Icon } from 'lucide-react'
import { Link } from 'react-router'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { JobHeader, JobProgress } from '@/features/jobs'
import { isActiveJob, type AnnotateClassCount } from '@/lib/api'
import { countOf, formatCount } from '@/lib/format'
import { useAnnotateRun } from '../hooks/queries'

export function reviewPath(datasetId: number): string {
  return `/od/datasets/${datasetId}?tab=review`
}

function CountsPerClass({ counts }: { counts: readonly AnnotateClassCount[] }) {
  const total = counts.reduce((sum, c) => sum + c.count, 0)
  if (counts.length === 0) return <p className="text-sm text-muted-foreground">No boxes yet.</p>
  return (
    <div className="flex flex-col gap-1.5" data-testid="annotate-counts">
      <p className="text-sm font-medium">{countOf(total, 'prediction')} waiting for review</p>
      <ul className="flex flex-wrap gap-1.5">
        {counts.map((c) => (
          <li key={c.class_id} className="rounded-md border px-2 py-0.5 text-xs" data-class-id={c.class_id}>
            {c.name} <strong className="tabular-nums">{formatCount(c.count)}</strong>
          </li>
        ))}
      </ul>
    </div>
  )
}

export function AnnotateRun({ jobId, datasetId, onClose }: { jobId: number; datasetId: number; onClose: () => void }) {
  const { job, status } = useAnnotateRun(jobId)
  if (job.isError) return <ErrorState error={job.error} title="Could not load the run" onRetry={() => void job.refetch()} />
  if (!job.data) return <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Loading job" />
  const data = job.data
  const active = isActiveJob(data)
  const s = status.data
  return (
    <div className="flex flex-col gap-4" data-testid="annotate-run" data-status={data.status}>
      <JobHeader job={data} label="Auto-annotation" confirmCancel={false} />
      <JobProgress job={data} />
      <p className="text-sm tabular-nums text-muted-foreground" data-testid="annotate-images">
        {s ? `${formatCount(s.images_done)} of ${countOf(s.images_total, 'image')} done` : 'Waiting for the first image…'}
      </p>
      {data.error ? <p className="text-sm text-destructive">{data.error}</p> : null}
      {s ? <CountsPerClass counts={s.counts} /> : null}
      <div className="flex justify-end gap-2 border-t pt-3">
        <Button variant="outline" onClick={onClose}>
          {active ? 'Keep it running in the background' : 'Close'}
        </Button>
        <Button asChild>
          <Link to={reviewPath(datasetId)} onClick={onClose} data-testid="open-review">
            <ListChecksIcon aria-hidden /> Open the review queue
          </Link>
        </Button>
      </div>
    </div>
  )
}
