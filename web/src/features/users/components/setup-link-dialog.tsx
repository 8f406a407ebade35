import { useState } from 'react'
import { Link2Icon, Loader2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { errorMessage } from '@/lib/api'
import { useIssueSetupLink } from '../hooks/users'
import type { IssuedSetupLink, ManagedUser } from '../types'
import { SetupLinkCard } from './setup-link-card'

/** A new one-time link for a lost invite or a forgotten password. */
export function SetupLinkDialog({ user, onClose }: { user: ManagedUser; onClose: () => void }) {
  const issue = useIssueSetupLink()
  const [issued, setIssued] = useState<IssuedSetupLink | null>(null)
  const resetting = user.has_password

  const create = () =>
    issue.mutate(user.id, {
      onSuccess: (result) => {
        setIssued(result)
        toast.success(`New link for ${user.username}`)
      },
      onError: (error) => toast.error(errorMessage(error)),
    })

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-lg" data-testid="setup-link-dialog">
        <DialogHeader>
          <DialogTitle>{resetting ? `Password reset link for ${user.username}` : `New invite link for ${user.username}`}</DialogTitle>
          <DialogDescription>
            {resetting
              ? 'Their current password keeps working until they open the link and choose a new one.'
              : 'For an invite that was lost or has expired.'}{' '}
            Any earlier link for {user.username} stops working.
          </DialogDescription>
        </DialogHeader>
        {issued ? <SetupLinkCard issued={issued} /> : null}
        <DialogFooter>
          {issued ? (
            <Button onClick={onClose}>Done</Button>
          ) : (
            <>
              <Button variant="outline" onClick={onClose}>
                Cancel
              </Button>
              <Button onClick={create} disabled={issue.isPending}>
                {issue.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <Link2Icon aria-hidden />}
                Create link
              </Button>
            </>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
