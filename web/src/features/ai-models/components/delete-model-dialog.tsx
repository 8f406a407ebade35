import type * as React from 'react'
import { Loader2Icon } from 'lucide-react'
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
} from '@/components/ui/alert-dialog'
import { errorMessage, type AiModel } from '@/lib/api'
import { formatBytes } from '@/lib/format'
import { useDeleteAiModel } from '../hooks/ai-models'

/** Confirm before deleting a model's weights folder from the server. */
export function DeleteModelDialog({ model, onClose }: { model: AiModel; onClose: () => void }) {
  const remove = useDeleteAiModel()
  const confirm = (event: React.MouseEvent) => {
    event.preventDefault()
    remove.mutate(model.key, {
      onSuccess: () => {
        toast.success(`Deleted the weights of ${model.title}`)
        onClose()
      },
      onError: (error) => toast.error(errorMessage(error)),
    })
  }
  return (
    <AlertDialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete {model.title}?</AlertDialogTitle>
          <AlertDialogDescription>
            Removes <span className="font-mono">{model.folder}</span> ({formatBytes(model.size_on_disk)}) from the
            server. Annotations it made stay. Auto-annotation with this model needs the weights again: fetch them or
            copy the folder back.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel disabled={remove.isPending}>Keep it</AlertDialogCancel>
          <AlertDialogAction
            variant="destructive"
            onClick={confirm}
            disabled={remove.isPending}
            data-testid="confirm-delete-model"
          >
            {remove.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Delete weights
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
