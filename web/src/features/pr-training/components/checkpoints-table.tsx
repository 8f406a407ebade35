import { useState } from 'react'
import { CpuIcon, GaugeIcon, Loader2Icon, StarIcon, Trash2Icon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { RegisterModelDialog } from '@/features/pr-models'
import { errorMessage, type PrCheckpoint, type PrTrainingRun } from '@/lib/api'
import { formatBytes } from '@/lib/format'
import { formatShare } from '../hooks/charts'
import { useCheckpoints, useDeleteCheckpoint, useEvaluateCheckpoint, runStamp } from '../hooks/queries'
import { ForceDeleteDialog } from './force-delete-dialog'

const HEADINGS = ['Epoch', 'Val R@1', 'Val R@5', 'Val mAP@R', 'Size', 'Models', '']

interface RowProps {
  run: PrTrainingRun
  checkpoint: PrCheckpoint
  canWrite: boolean
  onEvaluated: (jobId: number) => void
}

function CheckpointRow({ run, checkpoint: c, canWrite, onEvaluated }: RowProps) {
  const [registering, setRegistering] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const remove = useDeleteCheckpoint(run.id)
  const evaluate = useEvaluateCheckpoint(run.id)
  const onEvaluate = () =>
    evaluate.mutate(c.id, {
      onSuccess: ({ job }) => {
        toast.success(`Evaluating epoch ${c.epoch} on the test products`)
        onEvaluated(job.id)
      },
      onError: (e) => toast.error(errorMessage(e)),
    })
  const onDelete = (force: boolean) =>
    remove.mutate({ checkpointId: c.id, force }, { onSuccess: () => { toast.success(`Deleted the epoch ${c.epoch} checkpoint`); setDeleting(false) } })
  return (
    <TableRow data-testid="checkpoint-row" data-epoch={c.epoch} data-best={c.is_best || undefined}>
      <TableCell className="tabular-nums">
        <span className="flex items-center gap-2">
          {c.epoch}
          {c.is_best ? <Badge variant="success"><StarIcon aria-hidden /> best</Badge> : null}
        </span>
      </TableCell>
      <TableCell className="tabular-nums font-medium">{formatShare(c.metrics.val_recall_at_1)}</TableCell>
      <TableCell className="tabular-nums">{formatShare(c.metrics.val_recall_at_5)}</TableCell>
      <TableCell className="tabular-nums">{formatShare(c.metrics.val_map_at_r)}</TableCell>
      <TableCell className="tabular-nums">{formatBytes(c.size_bytes)}</TableCell>
      <TableCell>
        {c.model_ids.length === 0 ? '—' : c.model_ids.map((id) => (
          <Link key={id} to={`/models/${id}`} className="mr-2 text-primary hover:underline">#{id}</Link>
        ))}
      </TableCell>
      <TableCell className="text-right">
        {canWrite ? (
          <span className="flex justify-end gap-1">
            <Button size="sm" variant="outline" onClick={() => setRegistering(true)} data-testid="register-checkpoint"><CpuIcon aria-hidden /> Register</Button>
            <Button size="sm" variant="ghost" onClick={onEvaluate} disabled={evaluate.isPending} data-testid="evaluate-checkpoint">
              {evaluate.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <GaugeIcon aria-hidden />} Evaluate
            </Button>
            <Button size="icon-sm" variant="ghost" aria-label={`Delete the epoch ${c.epoch} checkpoint`} onClick={() => setDeleting(true)} data-testid="delete-checkpoint"><Trash2Icon aria-hidden /></Button>
          </span>
        ) : null}
        {registering ? <RegisterModelDialog checkpoint={c} runName={run.name} open={registering} onOpenChange={setRegistering} /> : null}
        <ForceDeleteDialog
          open={deleting}
          onOpenChange={(next) => { setDeleting(next); if (!next) remove.reset() }}
          title={`Delete the epoch ${c.epoch} checkpoint?`}
          description="Its weights file is removed from storage."
          forceNote="Deleting anyway keeps those models: each has its own copy of the weights."
          pending={remove.isPending}
          error={remove.error}
          onDelete={onDelete}
        />
      </TableCell>
    </TableRow>
  )
}

/** One FP16 checkpoint per epoch (the best starred): register one as a model, evaluate it, delete it. */
export function CheckpointsTable({ run, canWrite, onEvaluated }: { run: PrTrainingRun; canWrite: boolean; onEvaluated: (jobId: number) => void }) {
  const checkpoints = useCheckpoints(run.id, runStamp(run))
  if (checkpoints.isPending) return <LoadingState label="Loading checkpoints…" />
  if (checkpoints.isError) return <ErrorState error={checkpoints.error} onRetry={() => void checkpoints.refetch()} />
  if (checkpoints.data.length === 0) return <EmptyState title="No checkpoint yet" description="One is saved at the end of every epoch." />
  const rows = [...checkpoints.data].sort((a, b) => a.epoch - b.epoch)
  return (
    <Table aria-label="Checkpoints" data-testid="checkpoints-table">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          {HEADINGS.map((h, i) => <TableHead key={i}>{h}</TableHead>)}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((c) => <CheckpointRow key={c.id} run={run} checkpoint={c} canWrite={canWrite} onEvaluated={onEvaluated} />)}
      </TableBody>
    </Table>
  )
}
