import { ArrowRightIcon, ListChecksIcon } from 'lucide-react'
import { Link } from 'react-router'
import { EmptyState, ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { JobProgress, JobStatusBadge, jobKindLabel, useRecentJobs } from '@/features/jobs'
import { formatRelative } from '@/lib/format'

export function RecentJobs() {
  const jobs = useRecentJobs(10)
  return (
    <Card>
      <CardHeader className="flex-row items-start justify-between">
        <div className="flex flex-col gap-1">
          <CardTitle>Recent jobs</CardTitle>
          <CardDescription>Live progress of background work.</CardDescription>
        </div>
        <Button variant="ghost" size="sm" asChild>
          <Link to="/jobs">
            View all <ArrowRightIcon aria-hidden />
          </Link>
        </Button>
      </CardHeader>
      <CardContent className="px-0 pb-2">
        {jobs.isPending ? (
          <div className="flex flex-col gap-3 px-5 pb-3">
            {Array.from({ length: 3 }, (_, i) => (
              <Skeleton key={i} className="h-10 w-full" />
            ))}
          </div>
        ) : jobs.isError ? (
          <ErrorState error={jobs.error} title="Could not load jobs" onRetry={() => void jobs.refetch()} />
        ) : jobs.data.items.length === 0 ? (
          <EmptyState
            icon={<ListChecksIcon aria-hidden />}
            title="No jobs yet"
            description="Imports, storage checks and training runs show their progress here."
          />
        ) : (
          <ul className="divide-y border-t" aria-label="Recent jobs">
            {jobs.data.items.map((job) => (
              <li key={job.id} className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-4 gap-y-1.5 px-5 py-2.5 sm:grid-cols-[minmax(0,1.2fr)_minmax(0,1fr)_auto]">
                <Link to={`/jobs/${job.id}`} className="min-w-0 hover:underline">
                  <span className="block truncate text-sm font-medium">
                    {jobKindLabel(job.kind)} <span className="font-normal text-muted-foreground">#{job.id}</span>
                  </span>
                  <span className="block truncate text-xs text-muted-foreground">
                    {formatRelative(job.created_at)}
                    {job.label ? ` · ${job.label}` : ''}
                  </span>
                </Link>
                <JobProgress job={job} className="order-last col-span-2 sm:order-none sm:col-span-1" />
                <JobStatusBadge status={job.status} cancelRequested={job.cancel_requested} />
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  )
}
