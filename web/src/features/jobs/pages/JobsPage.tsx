import { useMemo, useState } from 'react'
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from '@tanstack/react-table'
import { ListChecksIcon, Loader2Icon, RotateCwIcon } from 'lucide-react'
import { Link } from 'react-router'
import { DataTableHeader } from '@/components/data-table-header'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableRow } from '@/components/ui/table'
import { JOB_STATUSES, type Job, type JobStatus } from '@/lib/api'
import { formatDateTime, formatDuration, formatRelative } from '@/lib/format'
import { CancelJobButton } from '../components/cancel-job-button'
import { JobKind } from '../components/job-kind'
import { JobProgress } from '../components/job-progress'
import { JobStatusBadge } from '../components/job-status-badge'
import { useJobsList } from '../hooks/jobs'

const ALL = 'all'
const column = createColumnHelper<Job>()

const columns = [
  column.accessor('id', {
    header: 'ID',
    cell: (info) => (
      <Link to={`/jobs/${info.getValue()}`} className="font-mono text-xs text-primary hover:underline">
        #{info.getValue()}
      </Link>
    ),
  }),
  column.accessor('kind', {
    header: 'Kind',
    cell: (info) => (
      <Link to={`/jobs/${info.row.original.id}`} className="hover:underline">
        <JobKind kind={info.getValue()} label={info.row.original.label} />
      </Link>
    ),
  }),
  column.accessor('status', {
    header: 'Status',
    cell: (info) => <JobStatusBadge status={info.getValue()} cancelRequested={info.row.original.cancel_requested} />,
  }),
  column.display({
    id: 'progress',
    header: 'Progress',
    cell: (info) => <JobProgress job={info.row.original} className="w-60" />,
  }),
  column.accessor('created_at', {
    header: 'Created',
    cell: (info) => <span title={formatDateTime(info.getValue())}>{formatRelative(info.getValue())}</span>,
  }),
  column.display({
    id: 'duration',
    header: 'Duration',
    cell: (info) => (
      <span className="tabular-nums">{formatDuration(info.row.original.started_at, info.row.original.finished_at)}</span>
    ),
  }),
  column.display({
    id: 'actions',
    header: () => <span className="sr-only">Actions</span>,
    cell: (info) => <CancelJobButton job={info.row.original} />,
  }),
]

function LoadingRows() {
  return (
    <>
      {Array.from({ length: 6 }, (_, i) => (
        <TableRow key={i}>
          {columns.map((_, j) => (
            <TableCell key={j}>
              <Skeleton className="h-4 w-full max-w-32" />
            </TableCell>
          ))}
        </TableRow>
      ))}
    </>
  )
}

interface JobsFiltersProps {
  status: JobStatus | null
  onStatus: (status: JobStatus | null) => void
  includeInteractive: boolean
  onIncludeInteractive: (include: boolean) => void
  refreshing: boolean
  onRefresh: () => void
}

/** The status filter, the interactive-requests switch and refresh, above the jobs table. */
function JobsFilters({ status, onStatus, includeInteractive, onIncludeInteractive, refreshing, onRefresh }: JobsFiltersProps) {
  return (
    <>
      <Label className="flex items-center gap-2 text-sm font-normal text-muted-foreground">
        <Checkbox
          checked={includeInteractive}
          onCheckedChange={(checked) => onIncludeInteractive(checked === true)}
          aria-label="Show interactive requests"
        />
        Show clicks and one-image detections
      </Label>
      <Select value={status ?? ALL} onValueChange={(value) => onStatus(value === ALL ? null : (value as JobStatus))}>
        <SelectTrigger className="w-40" aria-label="Filter by status">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ALL}>All statuses</SelectItem>
          {JOB_STATUSES.map((s) => (
            <SelectItem key={s} value={s} className="capitalize">
              {s.charAt(0).toUpperCase() + s.slice(1)}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Button variant="outline" size="icon" aria-label="Refresh" onClick={onRefresh}>
        <RotateCwIcon className={refreshing ? 'animate-spin' : undefined} aria-hidden />
      </Button>
    </>
  )
}

export function JobsPage() {
  const [status, setStatus] = useState<JobStatus | null>(null)
  const [includeInteractive, setIncludeInteractive] = useState(false)
  const jobs = useJobsList({ status, includeInteractive })
  const data = useMemo(() => jobs.data?.pages.flatMap((page) => page.items) ?? [], [jobs.data])
  const total = jobs.data?.pages[0]?.total ?? null
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), getRowId: (job) => String(job.id) })

  return (
    <div>
      <PageHeader
        title="Jobs"
        description="Everything Shelfscope runs in the background: imports, storage checks, AI labelling and training."
        actions={
          <JobsFilters
            status={status}
            onStatus={setStatus}
            includeInteractive={includeInteractive}
            onIncludeInteractive={setIncludeInteractive}
            refreshing={jobs.isFetching}
            onRefresh={() => void jobs.refetch()}
          />
        }
      />
      <Card className="overflow-hidden">
        {jobs.isError ? (
          <ErrorState error={jobs.error} title="Could not load jobs" onRetry={() => void jobs.refetch()} />
        ) : (
          <Table aria-label="Jobs">
            <DataTableHeader table={table} />
            <TableBody>
              {jobs.isPending ? (
                <LoadingRows />
              ) : data.length === 0 ? (
                <TableRow className="hover:bg-transparent">
                  <TableCell colSpan={columns.length}>
                    <EmptyState
                      icon={<ListChecksIcon aria-hidden />}
                      title={status ? `No ${status} jobs` : 'No jobs yet'}
                      description="Jobs appear here when you import images, verify storage or train a model."
                    />
                  </TableCell>
                </TableRow>
              ) : (
                table.getRowModel().rows.map((row) => (
                  <TableRow key={row.id} data-testid={`job-row-${row.original.id}`}>
                    {row.getVisibleCells().map((cell) => (
                      <TableCell key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</TableCell>
                    ))}
                  </TableRow>
                ))
              )}
            </TableBody>
          </Table>
        )}
      </Card>
      <div className="mt-3 flex items-center justify-between text-sm text-muted-foreground">
        <span>
          {data.length > 0 ? `Showing ${data.length}${total !== null ? ` of ${total}` : ''} jobs` : null}
        </span>
        {jobs.hasNextPage ? (
          <Button variant="outline" size="sm" onClick={() => void jobs.fetchNextPage()} disabled={jobs.isFetchingNextPage}>
            {jobs.isFetchingNextPage ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Load more
          </Button>
        ) : null}
      </div>
    </div>
  )
}
