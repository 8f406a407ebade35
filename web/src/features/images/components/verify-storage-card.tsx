import { useState } from 'react'
import { Loader2Icon, ShieldCheckIcon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Label } from '@/components/ui/label'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { CancelJobButton, JobProgress, JobStatusBadge, useLatestJobOfKind, useLiveJob } from '@/features/jobs'
import { errorMessage, isActiveJob, type Job, type JsonObject, type StorageVerifyResult } from '@/lib/api'
import { formatCount, formatRelative } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useStartVerify } from '../hooks/images'

export const VERIFY_KIND = 'od.images.verify'

const RESULT_FIELDS: { key: keyof StorageVerifyResult; label: string; bad: boolean }[] = [
  { key: 'checked', label: 'Checked', bad: false },
  { key: 'missing', label: 'Missing', bad: true },
  { key: 'thumbnails_rebuilt', label: 'Thumbnails rebuilt', bad: false },
  { key: 'hash_mismatch', label: 'Hash mismatches', bad: true },
]

function readResult(result: JsonObject | null): Partial<StorageVerifyResult> {
  const out: Partial<StorageVerifyResult> = {}
  if (!result) return out
  for (const { key } of RESULT_FIELDS) {
    const value = result[key]
    if (typeof value === 'number') out[key] = value
  }
  return out
}

function VerifyResult({ job }: { job: Job }) {
  const result = readResult(job.result)
  if (Object.keys(result).length === 0) return null
  return (
    <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="verify-result">
      {RESULT_FIELDS.map(({ key, label, bad }) => {
        const value = result[key]
        return (
          <div key={key} className="rounded-md border bg-muted/30 px-3 py-2">
            <dt className="text-xs text-muted-foreground">{label}</dt>
            <dd
              className={cn('text-lg font-semibold tabular-nums', bad && (value ?? 0) > 0 && 'text-destructive')}
              data-testid={`verify-${key}`}
            >
              {value === undefined ? '—' : formatCount(value)}
            </dd>
          </div>
        )
      })}
    </dl>
  )
}

function TrackedJob({ job }: { job: ReturnType<typeof useLiveJob>['job'] }) {
  if (job.isPending) return <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Loading job" />
  if (job.isError) return <ErrorState error={job.error} onRetry={() => void job.refetch()} className="py-4" />
  const data = job.data
  return (
    <div className="flex flex-col gap-3 rounded-md border p-3" data-testid="verify-job" data-job-id={data.id}>
      <div className="flex items-center justify-between gap-2">
        <div className="flex items-center gap-2 text-sm">
          <Link to={`/jobs/${data.id}`} className="font-medium hover:underline">
            Job #{data.id}
          </Link>
          <span className="text-muted-foreground">· {formatRelative(data.created_at)}</span>
        </div>
        <div className="flex items-center gap-2">
          <JobStatusBadge status={data.status} cancelRequested={data.cancel_requested} />
          <CancelJobButton job={data} confirm={false} testId="cancel-job" />
        </div>
      </div>
      {isActiveJob(data) || data.status !== 'succeeded' ? <JobProgress job={data} /> : null}
      {data.error ? <p className="text-sm text-destructive">{data.error}</p> : null}
      <VerifyResult job={data} />
    </div>
  )
}

/** Maintenance: re-hash every stored image, find missing files and rebuild lost thumbnails. */
export function VerifyStorageCard() {
  const [startedId, setStartedId] = useState<number | null>(null)
  const [regenerate, setRegenerate] = useState(false)
  const latest = useLatestJobOfKind(VERIFY_KIND)
  const start = useStartVerify()
  const trackedId = startedId ?? latest.data?.id ?? null
  const { job } = useLiveJob(trackedId)
  const running = job.data ? isActiveJob(job.data) : false

  const onStart = () =>
    start.mutate({ regenerateThumbnails: regenerate }, {
      onSuccess: ({ job }) => {
        setStartedId(job.id)
        toast.success(`Storage check started (job #${job.id})`)
      },
      onError: (error) => toast.error(errorMessage(error)),
    })

  return (
    <Card>
      <CardHeader className="flex-row items-start justify-between gap-4">
        <div className="flex flex-col gap-1">
          <CardTitle className="flex items-center gap-2">
            <ShieldCheckIcon className="size-4 text-muted-foreground" aria-hidden /> Verify storage
          </CardTitle>
          <CardDescription>
            Re-reads every stored image, checks its content hash, reports missing files and rebuilds missing
            thumbnails (or every thumbnail, after changing the thumbnail size). Safe to run at any time; cancel
            whenever you like.
          </CardDescription>
        </div>
        <div className="flex shrink-0 flex-col items-end gap-2">
          <Button onClick={onStart} disabled={start.isPending || running} data-testid="verify-storage">
            {start.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <ShieldCheckIcon aria-hidden />}
            Verify storage
          </Button>
          <div className="flex items-center gap-2">
            <Checkbox
              id="verify-regenerate"
              checked={regenerate}
              onCheckedChange={(value) => setRegenerate(value === true)}
              data-testid="verify-regenerate"
            />
            <Label htmlFor="verify-regenerate" className="text-xs font-normal text-muted-foreground">
              Re-render all thumbnails
            </Label>
          </div>
        </div>
      </CardHeader>
      <CardContent>
        {trackedId !== null ? (
          <TrackedJob job={job} />
        ) : latest.isError ? (
          <ErrorState error={latest.error} onRetry={() => void latest.refetch()} className="py-4" />
        ) : latest.isPending ? null : (
          <p className="text-sm text-muted-foreground">Storage has not been verified yet.</p>
        )}
      </CardContent>
    </Card>
  )
}
