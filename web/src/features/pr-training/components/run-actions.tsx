import { useState } from 'react'
import { Loader2Icon, PlayIcon, SquareIcon, Trash2Icon } from 'lucide-react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { errorMessage, isActiveJob, type PrTrainingRun } from '@/lib/api'
import { useCancelPrRun, useDeletePrRun } from '../hooks/queries'
import { ForceDeleteDialog } from './force-delete-dialog'
import { ResumeDialog } from './resume-dialog'

function CancelRun({ run }: { run: PrTrainingRun }) {
  const cancel = useCancelPrRun()
  const onConfirm = () =>
    cancel.mutate(run.id, {
      onSuccess: () => toast.success('Cancelling the run; its checkpoints so far are kept.'),
      onError: (e) => toast.error(errorMessage(e)),
    })
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button variant="outline" size="sm" disabled={cancel.isPending} data-testid="cancel-pr-run">
          {cancel.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <SquareIcon aria-hidden />}
          Cancel
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Cancel this run?</AlertDialogTitle>
          <AlertDialogDescription>Training stops after the current batch. Its checkpoints are kept, and it can be resumed from one.</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep training</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={onConfirm} data-testid="confirm-cancel-pr-run">
            Cancel run
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}

function DeleteRun({ run }: { run: PrTrainingRun }) {
  const [open, setOpen] = useState(false)
  const remove = useDeletePrRun()
  const navigate = useNavigate()
  const onDelete = (force: boolean) =>
    remove.mutate(
      { id: run.id, force },
      {
        onSuccess: () => {
          toast.success(`Deleted run “${run.name}”`)
          setOpen(false)
          void navigate('/training')
        },
      },
    )
  return (
    <>
      <Button variant="outline" size="sm" onClick={() => setOpen(true)} data-testid="delete-pr-run">
        <Trash2Icon aria-hidden /> Delete
      </Button>
      <ForceDeleteDialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next)
          if (!next) remove.reset()
        }}
        title="Delete this run?"
        description="Its checkpoints, their files, its frozen image list and its evaluations are removed."
        forceNote="Deleting anyway keeps those models (with their own copy of the weights), no longer linked to this run."
        pending={remove.isPending}
        error={remove.error}
        onDelete={onDelete}
      />
    </>
  )
}

/** Cancel a live run; resume or delete a stopped one. */
export function RunActions({ run, canWrite }: { run: PrTrainingRun; canWrite: boolean }) {
  const [resuming, setResuming] = useState(false)
  if (!canWrite) return null
  if (isActiveJob(run)) return <CancelRun run={run} />
  return (
    <>
      <Button variant="outline" size="sm" onClick={() => setResuming(true)} data-testid="resume-pr-run">
        <PlayIcon aria-hidden /> Resume
      </Button>
      {resuming ? <ResumeDialog run={run} open={resuming} onOpenChange={setResuming} /> : null}
      <DeleteRun run={run} />
    </>
  )
}
