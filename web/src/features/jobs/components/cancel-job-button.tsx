import { Loader2Icon, SquareIcon } from 'lucide-react'
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
import { Button, type ButtonProps } from '@/components/ui/button'
import { errorMessage, isActiveJob, type Job } from '@/lib/api'
import { useCancelJob } from '../hooks/jobs'

interface CancelJobButtonProps {
  job: Job
  /** Ask before cancelling (default). Harmless jobs like a storage check can skip it. */
  confirm?: boolean
  size?: ButtonProps['size']
  testId?: string
}

export function CancelJobButton({ job, confirm = true, size = 'sm', testId }: CancelJobButtonProps) {
  const cancel = useCancelJob()
  if (!isActiveJob(job)) return null
  const pending = cancel.isPending || job.cancel_requested

  const run = () =>
    cancel.mutate(job.id, {
      onSuccess: ({ job: next }) =>
        toast.success(
          next.status === 'cancelled' ? `Job #${next.id} cancelled` : `Cancelling job #${next.id}…`,
        ),
      onError: (error) => toast.error(errorMessage(error)),
    })

  const button = (
    <Button
      variant="outline"
      size={size}
      disabled={pending}
      onClick={confirm ? undefined : run}
      data-testid={testId}
      aria-label={`Cancel job ${job.id}`}
    >
      {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : <SquareIcon aria-hidden />}
      {job.cancel_requested ? 'Cancelling…' : 'Cancel'}
    </Button>
  )

  if (!confirm) return button
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>{button}</AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Cancel job #{job.id}?</AlertDialogTitle>
          <AlertDialogDescription>
            The {job.kind} job stops at its next checkpoint. Work done so far is rolled back or kept as the job
            defines; you can start it again later.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep running</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={run}>
            Cancel job
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
