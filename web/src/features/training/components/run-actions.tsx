import { Loader2Icon, SquareIcon, Trash2Icon } from 'lucide-react'
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
import { errorMessage, isActiveJob, type TrainingRun } from '@/lib/api'
import { useDeleteRun } from '../hooks/queries'

interface ConfirmProps {
  trigger: React.ReactNode
  title: string
  body: string
  action: string
  onConfirm: () => void
}

function Confirm({ trigger, title, body, action, onConfirm }: ConfirmProps) {
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>{trigger}</AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription>{body}</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep it</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={onConfirm} data-testid="confirm-run-action">
            {action}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}

/** Cancel a live run (it keeps its best checkpoint), or delete a finished one and its checkpoints. */
export function RunActions({ run }: { run: TrainingRun }) {
  const remove = useDeleteRun()
  const navigate = useNavigate()
  const live = isActiveJob(run)
  const cancel = () =>
    remove.mutate(
      { id: run.id },
      { onSuccess: () => toast.success('Cancelling the run; it keeps its best checkpoint.'), onError: (e) => toast.error(errorMessage(e)) },
    )
  const destroy = () =>
    remove.mutate(
      { id: run.id, force: run.model_id !== null },
      {
        onSuccess: () => {
          toast.success(`Deleted run “${run.name}”`)
          void navigate('/od/training')
        },
        onError: (e) => toast.error(errorMessage(e)),
      },
    )
  const busy = remove.isPending
  if (live)
    return (
      <Confirm
        title="Cancel this run?"
        body="Training stops within seconds. The best checkpoint so far is kept."
        action="Cancel run"
        onConfirm={cancel}
        trigger={
          <Button variant="outline" size="sm" disabled={busy} data-testid="cancel-run">
            {busy ? <Loader2Icon className="animate-spin" aria-hidden /> : <SquareIcon aria-hidden />}
            Cancel
          </Button>
        }
      />
    )
  return (
    <Confirm
      title="Delete this run?"
      body={
        run.model_id !== null
          ? 'Its checkpoints and metrics are removed. The model it registered stays in the registry (without a link to this run).'
          : 'Its checkpoints and metrics are removed.'
      }
      action="Delete run"
      onConfirm={destroy}
      trigger={
        <Button variant="outline" size="sm" disabled={busy} data-testid="delete-run">
          <Trash2Icon aria-hidden /> Delete
        </Button>
      }
    />
  )
}
