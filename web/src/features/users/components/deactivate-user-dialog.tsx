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
import { errorMessage } from '@/lib/api'
import { useUpdateUser } from '../hooks/users'
import type { ManagedUser } from '../types'

/** Confirm before signing someone out everywhere; their work stays. */
export function DeactivateUserDialog({ user, onClose }: { user: ManagedUser; onClose: () => void }) {
  const update = useUpdateUser()
  // The dialog stays open until the answer arrives: unmounted, it would never hear it.
  const deactivate = (event: React.MouseEvent) => {
    event.preventDefault()
    update.mutate(
      { id: user.id, body: { is_active: false } },
      {
        onSuccess: () => {
          toast.success(`Deactivated ${user.username}`)
          onClose()
        },
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  }
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
          <AlertDialogCancel disabled={update.isPending}>Keep active</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={deactivate} disabled={update.isPending}>
            {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Deactivate
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
