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
import { errorMessage } from '@/lib/api'
import { useUpdateUser } from '../hooks/users'
import type { ManagedUser } from '../types'

/** Confirm before signing someone out everywhere; their work stays. */
export function DeactivateUserDialog({ user, onClose }: { user: ManagedUser; onClose: () => void }) {
  const update = useUpdateUser()
  const deactivate = () =>
    update.mutate(
      { id: user.id, body: { is_active: false } },
      {
        onSuccess: () => toast.success(`Deactivated ${user.username}`),
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  return (
    <AlertDialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Deactivate {user.username}?</AlertDialogTitle>
          <AlertDialogDescription>
            They are signed out everywhere at once, their API tokens are revoked and any unused setup link stops
            working. Their images, labels and jobs stay. You can reactivate them later.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep active</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={deactivate}>
            Deactivate
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
