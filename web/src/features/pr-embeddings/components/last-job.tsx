import { useEffect, useRef } from 'react'
import { Link } from 'react-router'
import { CancelJobButton, JobProgress, JobStatusBadge, useLiveJob } from '@/features/jobs'
import { isActiveJob } from '@/lib/api'
import { useEmbeddingsChanged } from '../hooks/queries'

/**
 * A collection's last extraction: live progress and cancel while it runs (so leaving the page and coming
 * back loses nothing), its outcome after. The collections refresh when one seen running ends.
 */
export function LastJob({ jobId }: { jobId: number }) {
  const { job } = useLiveJob(jobId)
  const changed = useEmbeddingsChanged()
  const seenActive = useRef(false)
  const active = job.data ? isActiveJob(job.data) : false
  useEffect(() => {
    if (active) seenActive.current = true
    else if (seenActive.current) {
      seenActive.current = false
      changed()
    }
  }, [active, changed])
  if (!job.data) return null
  if (active)
    return (
      <div className="flex items-center gap-2" data-testid="collection-job" data-status={job.data.status}>
        <JobProgress job={job.data} compact className="w-32" />
        <CancelJobButton job={job.data} testId="cancel-collection-job" />
      </div>
    )
  return (
    <Link to={`/jobs/${job.data.id}`} className="inline-flex" title={`Job #${job.data.id}`} data-testid="collection-job" data-status={job.data.status}>
      <JobStatusBadge status={job.data.status} />
    </Link>
  )
}
