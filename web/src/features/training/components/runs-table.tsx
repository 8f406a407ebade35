import { BrainIcon } from 'lucide-react'
import { Link } from 'react-router'
import { EmptyState } from '@/components/states'
import { ListTable } from '@/components/list-table'
import { TableCell, TableRow } from '@/components/ui/table'
import { JobStatusBadge } from '@/features/jobs'
import type { TrainingRun, TrainingStatus } from '@/lib/api'
import { formatDateTime, formatRelative } from '@/lib/format'
import { datasetLabel, formatMetric } from '../hooks/charts'
import { RunProgress } from './run-progress'

const HEADINGS = ['Run', 'Status', 'Progress', 'Best mAP50-95', 'mAP50', 'Architecture', 'Dataset', 'Created']

function RunRow({ run }: { run: TrainingRun }) {
  return (
    <TableRow data-testid={`run-row-${run.id}`}>
      <TableCell className="max-w-64">
        <Link to={`/od/training/${run.id}`} className="block truncate font-medium text-primary hover:underline">
          {run.name}
        </Link>
      </TableCell>
      <TableCell>
        <JobStatusBadge status={run.status} />
      </TableCell>
      <TableCell>
        <RunProgress run={run} className="w-56" />
      </TableCell>
      <TableCell className="tabular-nums" data-testid="run-best-map">
        {formatMetric(run.best_metrics?.map50_95)}
      </TableCell>
      <TableCell className="tabular-nums">{formatMetric(run.best_metrics?.map50)}</TableCell>
      <TableCell className="font-mono text-xs">{run.architecture}</TableCell>
      <TableCell>
        {run.dataset_id !== null ? (
          <Link to={`/od/datasets/${run.dataset_id}`} className="hover:underline">
            {datasetLabel(run)}
          </Link>
        ) : (
          datasetLabel(run)
        )}
      </TableCell>
      <TableCell>
        <span title={formatDateTime(run.created_at)}>{formatRelative(run.created_at)}</span>
      </TableCell>
    </TableRow>
  )
}

/** Training runs, newest first: status, progress, best metrics, what trained on what. */
export function RunsTable({ runs, pending, status }: { runs: TrainingRun[]; pending: boolean; status: TrainingStatus | null }) {
  const empty =
    runs.length === 0 ? (
      <EmptyState
        icon={<BrainIcon aria-hidden />}
        title={status ? `No ${status} runs` : 'No training runs yet'}
        description="Freeze a dataset version, then train a detector on it with New training run."
      />
    ) : null
  return (
    <ListTable label="Training runs" headings={HEADINGS} pending={pending} empty={empty}>
      {runs.map((run) => (
        <RunRow key={run.id} run={run} />
      ))}
    </ListTable>
  )
}
