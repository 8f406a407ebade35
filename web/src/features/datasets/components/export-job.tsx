import { DownloadIcon, Loader2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { ErrorState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { JobHeader, JobProgress, useJobFinished, useLiveJob } from '@/features/jobs'
import { exportResultOf, type ExportResult, type Job } from '@/lib/api'
import { formatBytes, formatCount } from '@/lib/format'
import { exportsApi } from '../api'

const SPLITS = ['train', 'val', 'test']

export function ExportSummary({ result }: { result: ExportResult }) {
  const rank = (split: string) => (SPLITS.includes(split) ? SPLITS.indexOf(split) : SPLITS.length)
  const splits = Object.entries(result.splits).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
  return (
    <dl className="grid grid-cols-2 gap-x-4 gap-y-1.5 text-sm sm:grid-cols-4" data-testid="export-summary">
      <div>
        <dt className="text-xs text-muted-foreground">Images</dt>
        <dd className="font-semibold tabular-nums" data-testid="export-images">
          {formatCount(result.images)}
        </dd>
      </div>
      <div>
        <dt className="text-xs text-muted-foreground">Augmented copies</dt>
        <dd className="font-semibold tabular-nums" data-testid="export-augmented">
          {formatCount(result.augmented_images)}
        </dd>
      </div>
      <div>
        <dt className="text-xs text-muted-foreground">Annotations</dt>
        <dd className="font-semibold tabular-nums" data-testid="export-annotations">
          {formatCount(result.annotations)}
        </dd>
      </div>
      <div>
        <dt className="text-xs text-muted-foreground">Classes</dt>
        <dd className="font-semibold tabular-nums" title={result.classes.join(', ')}>
          {formatCount(result.classes.length)}
        </dd>
      </div>
      <div className="col-span-full flex flex-wrap items-center gap-1.5 pt-1">
        {splits.map(([split, n]) => (
          <Badge key={split} variant="secondary" data-split={split}>
            {split}: {formatCount(n)}
          </Badge>
        ))}
        <span className="ml-auto text-xs text-muted-foreground">
          {result.format.toUpperCase()}
          {result.version !== null ? ` · v${result.version}` : ' · current dataset'} · {result.seconds.toFixed(1)} s
        </span>
      </div>
      {(result.warnings ?? []).map((warning) => (
        <p key={warning} className="col-span-full text-xs text-amber-700" data-testid="export-warning">
          {warning}
        </p>
      ))}
    </dl>
  )
}

function exportToast(job: Job): void {
  const result = exportResultOf(job)
  if (job.status === 'succeeded' && result && (result.skipped_images ?? 0) > 0)
    toast.warning(`Export ready without ${result.skipped_images} deleted image(s): ${result.filename}`)
  else if (job.status === 'succeeded' && result) toast.success(`Export ready: ${result.filename} (${formatBytes(result.size_bytes)})`)
  else if (job.status === 'cancelled') toast.warning(`Export job #${job.id} cancelled`)
  else toast.error(`Export failed: ${job.error ?? 'see the job for details'}`)
}

/** One export job, live: progress while it runs, then its summary and the Download link. */
export function ExportJob({ jobId }: { jobId: number }) {
  const { job } = useLiveJob(jobId)
  useJobFinished(job.data, exportToast)

  if (job.isError) return <ErrorState error={job.error} title="Could not load the export job" onRetry={() => void job.refetch()} className="py-4" />
  if (!job.data) return <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Loading job" />
  const data = job.data
  const result = data.status === 'succeeded' ? exportResultOf(data) : null
  return (
    <div className="flex flex-col gap-3 rounded-md border p-3" data-testid="export-job" data-job-id={data.id} data-status={data.status}>
      <JobHeader job={data} label="Export job" confirmCancel={false} />
      {!result ? <JobProgress job={data} /> : null}
      {data.error ? <p className="text-sm text-destructive">{data.error}</p> : null}
      {result ? (
        <>
          <ExportSummary result={result} />
          <div className="flex items-center justify-between gap-3 border-t pt-3">
            <div className="flex min-w-0 flex-col">
              <span className="truncate font-mono text-xs" title={result.filename} data-testid="export-filename">
                {result.filename}
              </span>
              <span className="text-xs text-muted-foreground tabular-nums" data-testid="export-size">
                {formatBytes(result.size_bytes)}
              </span>
            </div>
            <Button asChild size="sm" className="shrink-0">
              <a href={exportsApi.downloadUrl(data.id)} download={result.filename} data-testid="export-download">
                <DownloadIcon aria-hidden /> Download
              </a>
            </Button>
          </div>
        </>
      ) : null}
    </div>
  )
}
