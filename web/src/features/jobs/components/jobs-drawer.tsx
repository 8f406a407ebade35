import { ActivityIcon, ArrowRightIcon } from 'lucide-react'
import { Link } from 'react-router'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Sheet, SheetContent, SheetDescription, SheetFooter, SheetHeader, SheetTitle } from '@/components/ui/sheet'
import { Tooltip, TooltipContent, TooltipTrigger } from '@/components/ui/tooltip'
import { isActiveJob, type Job } from '@/lib/api'
import { formatRelative } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useJobsDrawer } from '../hooks/drawer-store'
import { useRecentJobs } from '../hooks/jobs'
import { CancelJobButton } from './cancel-job-button'
import { jobKindLabel } from './job-kind'
import { JobProgress } from './job-progress'
import { JobStatusBadge } from './job-status-badge'

function DrawerJob({ job, onNavigate }: { job: Job; onNavigate: () => void }) {
  return (
    <li className="flex flex-col gap-2 px-5 py-3">
      <div className="flex items-center justify-between gap-2">
        <Link
          to={`/jobs/${job.id}`}
          onClick={onNavigate}
          className="min-w-0 truncate text-sm font-medium hover:underline"
        >
          {jobKindLabel(job.kind)} <span className="text-muted-foreground">#{job.id}</span>
        </Link>
        <JobStatusBadge status={job.status} cancelRequested={job.cancel_requested} />
      </div>
      {job.label ? <p className="-mt-1 truncate text-xs text-muted-foreground">{job.label}</p> : null}
      <JobProgress job={job} />
      <div className="flex items-center justify-between text-xs text-muted-foreground">
        <span>Started {formatRelative(job.started_at ?? job.created_at)}</span>
        <CancelJobButton job={job} size="sm" />
      </div>
    </li>
  )
}

function JobsButton({ running, onOpen }: { running: number; onOpen: () => void }) {
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Button
          variant="ghost"
          size="sm"
          className="gap-2"
          aria-label={running > 0 ? `Jobs, ${running} running` : 'Jobs'}
          data-testid="jobs-indicator"
          onClick={onOpen}
        >
          <ActivityIcon className={cn(running > 0 && 'text-primary')} aria-hidden />
          <span className="hidden sm:inline">Jobs</span>
          {running > 0 ? (
            <span className="rounded-full bg-primary px-1.5 text-[11px] leading-5 font-semibold text-primary-foreground tabular-nums">
              {running}
            </span>
          ) : null}
        </Button>
      </TooltipTrigger>
      <TooltipContent>Running and recent jobs</TooltipContent>
    </Tooltip>
  )
}

/** Running jobs first (or "Nothing is running"), then the recent finished ones. */
function JobSections({ items, onNavigate }: { items: Job[]; onNavigate: () => void }) {
  const active = items.filter(isActiveJob)
  const recent = items.filter((job) => !isActiveJob(job))
  return (
    <>
      <section aria-label="Running jobs">
        <h3 className="px-5 pt-4 text-xs font-medium tracking-wide text-muted-foreground uppercase">Running ({active.length})</h3>
        {active.length === 0 ? (
          <p className="px-5 py-3 text-sm text-muted-foreground">Nothing is running.</p>
        ) : (
          <ul className="divide-y">
            {active.map((job) => (
              <DrawerJob key={job.id} job={job} onNavigate={onNavigate} />
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Recent jobs" className="border-t">
        <h3 className="px-5 pt-4 text-xs font-medium tracking-wide text-muted-foreground uppercase">Recent</h3>
        <ul className="divide-y">
          {recent.map((job) => (
            <DrawerJob key={job.id} job={job} onNavigate={onNavigate} />
          ))}
        </ul>
      </section>
    </>
  )
}

/** The top-bar button with the number of running jobs, and the drawer it opens. */
export function JobsIndicator() {
  const { open, setOpen } = useJobsDrawer()
  const jobs = useRecentJobs(10)
  const items = jobs.data?.items ?? []
  const close = () => setOpen(false)

  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <JobsButton running={items.filter(isActiveJob).length} onOpen={() => setOpen(true)} />
      <SheetContent className="gap-0 p-0">
        <SheetHeader>
          <SheetTitle>Jobs</SheetTitle>
          <SheetDescription>Imports, checks and training runs, newest first.</SheetDescription>
        </SheetHeader>
        <div className="flex-1 overflow-y-auto">
          {jobs.isPending ? (
            <LoadingState label="Loading jobs…" />
          ) : jobs.isError ? (
            <ErrorState error={jobs.error} onRetry={() => void jobs.refetch()} />
          ) : items.length === 0 ? (
            <EmptyState title="No jobs yet" description="Long work such as imports and training shows up here." />
          ) : (
            <JobSections items={items} onNavigate={close} />
          )}
        </div>
        <SheetFooter>
          <Button variant="outline" asChild>
            <Link to="/jobs" onClick={close}>
              All jobs <ArrowRightIcon aria-hidden />
            </Link>
          </Button>
        </SheetFooter>
      </SheetContent>
    </Sheet>
  )
}
