import { DumbbellIcon } from 'lucide-react'
import { Link } from 'react-router'
import { EmptyState } from '@/components/states'
import { ListTable } from '@/components/list-table'
import { TableCell, TableRow } from '@/components/ui/table'
import { JobStatusBadge } from '@/features/jobs'
import type { PrRunStatus, PrTrainingRun } from '@/lib/api'
import { formatDateTime, formatRelative } from '@/lib/format'
import { bestRecall, dataLabel, formatShare } from '../hooks/charts'
import { RunProgress } from './run-progress'

const HEADINGS = ['Run', 'Status', 'Progress', 'Best R@1', 'mAP@R', 'Backbone', 'Data', 'Created']

function RunRow({ run }: { run: PrTrainingRun }) {
  return (
    <TableRow data-testid="pr-run-row" data-run-id={run.id} data-status={run.status}>
      <TableCell className="max-w-64">
        <Link to={`/training/${run.id}`} className="block truncate font-medium text-primary hover:underline">
          {run.name}
        </Link>
      </TableCell>
      <TableCell>
        <JobStatusBadge status={run.status} />
      </TableCell>
      <TableCell>
        <RunProgress run={run} className="w-48" />
      </TableCell>
      <TableCell className="tabular-nums font-medium" data-testid="pr-run-best-r1">
        {formatShare(bestRecall(run))}
      </TableCell>
      <TableCell className="tabular-nums">{formatShare(run.best_metrics?.val_map_at_r)}</TableCell>
      <TableCell className="font-mono text-xs">
        {run.backbone}
        {run.pretrained ? '' : ' (random)'}
      </TableCell>
      <TableCell className="max-w-56 truncate text-sm" title={dataLabel(run)}>
        {dataLabel(run)}
      </TableCell>
      <TableCell>
        <span title={formatDateTime(run.created_at)}>{formatRelative(run.created_at)}</span>
      </TableCell>
    </TableRow>
  )
}

/** Embedding runs, newest first: status, live progress, best validation Recall@1 and mAP@R. */
export function RunsTable({ runs, pending, status }: { runs: PrTrainingRun[]; pending: boolean; status: PrRunStatus | null }) {
  const empty =
    runs.length === 0 ? (
      <EmptyState
        icon={<DumbbellIcon aria-hidden />}
        title={status ? `No ${status} runs` : 'No embedding runs yet'}
        description="Add products with at least a few images each, then start a run with New training run."
      />
    ) : null
  return (
    <ListTable label="Embedding training runs" headings={HEADINGS} pending={pending} empty={empty}>
      {runs.map((run) => (
        <RunRow key={run.id} run={run} />
      ))}
    </ListTable>
  )
}
