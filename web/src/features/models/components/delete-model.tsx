import { Trash2Icon } from 'lucide-react'
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
import { errorMessage, type TrainedModel } from '@/lib/api'
import { useDeleteModel } from '../hooks/queries'

/** Admins delete a model and its files; the server refuses the annotation default (409), shown as a toast. */
export function DeleteModelButton({ model }: { model: TrainedModel }) {
  const remove = useDeleteModel()
  const navigate = useNavigate()
  const confirm = () =>
    remove.mutate(model.id, {
      onSuccess: () => {
        toast.success(`Deleted ${model.name}`)
        void navigate('/od/models')
      },
      onError: (e) => toast.error(errorMessage(e)),
    })
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button size="sm" variant="outline" disabled={remove.isPending} data-testid="delete-model">
          <Trash2Icon aria-hidden /> Delete
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete {model.name}?</AlertDialogTitle>
          <AlertDialogDescription>
            Its weights and exports are removed. Annotations it made stay. {model.is_default ? 'It is the annotation default: make another model the default first.' : ''}
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep it</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={confirm} data-testid="confirm-delete-model">
            Delete model
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
