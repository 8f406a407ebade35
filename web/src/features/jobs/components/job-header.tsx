import { Link } from 'react-router'
import type { Job } from '@/lib/api'
import { CancelJobButton } from './cancel-job-button'
import { JobStatusBadge } from './job-status-badge'

/** A tracked job's first line: "<label> #id" linking to the job, its status and a Cancel button. */
export function JobHeader({ job, label, confirmCancel = true }: { job: Job; label: string; confirmCancel?: boolean }) {
  return (
    <div className="flex items-center justify-between gap-2 text-sm">
      <Link to={`/jobs/${job.id}`} className="font-medium hover:underline">
        {label} #{job.id}
      </Link>
      <div className="flex items-center gap-2">
        <JobStatusBadge status={job.status} cancelRequested={job.cancel_requested} />
        <CancelJobButton job={job} confirm={confirmCancel} />
      </div>
    </div>
  )
}
