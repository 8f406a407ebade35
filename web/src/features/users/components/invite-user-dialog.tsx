import { useState, type FormEvent } from 'react'
import { Loader2Icon, UserPlusIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { errorMessage, isApiError, type Role } from '@/lib/api'
import { useInviteUser } from '../hooks/users'
import { ROLES, type IssuedSetupLink } from '../types'
import { RoleSelect } from './role-select'
import { SetupLinkCard } from './setup-link-card'

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$/

function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!isApiError(error)) return {}
  if (error.body?.fields) return Object.fromEntries(error.body.fields.map((f) => [f.field, f.message]))
  if (typeof error.body?.field === 'string') return { [error.body.field]: error.detail }
  return {}
}

/** Create an account without a password; the result is the one-time link the person opens to choose one. */
export function InviteUserDialog({ onClose }: { onClose: () => void }) {
  const [username, setUsername] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [role, setRole] = useState<Role>('annotator')
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [issued, setIssued] = useState<IssuedSetupLink | null>(null)
  const invite = useInviteUser()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const name = username.trim()
    if (!USERNAME.test(name)) {
      setFieldErrors({
        username: '2–64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
      })
      return
    }
    setFieldErrors({})
    invite.mutate(
      { username: name, display_name: displayName.trim(), role },
      {
        onSuccess: (result) => {
          setIssued(result)
          toast.success(`Invited ${result.user.username}`)
        },
        onError: (error) => {
          setFieldErrors(fieldErrorsOf(error))
          toast.error(errorMessage(error))
        },
      },
    )
  }

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-lg" data-testid="invite-dialog">
        {issued ? (
          <>
            <DialogHeader>
              <DialogTitle>{issued.user.username} is invited</DialogTitle>
              <DialogDescription>
                They choose their own password through this link; until then they cannot sign in.
              </DialogDescription>
            </DialogHeader>
            <SetupLinkCard issued={issued} />
            <DialogFooter>
              <Button onClick={onClose}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
            <DialogHeader>
              <DialogTitle>Invite a user</DialogTitle>
              <DialogDescription>
                Shelfscope makes a one-time link for you to send; nobody ever types a password for someone else.
              </DialogDescription>
            </DialogHeader>
            <div className="grid gap-3 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="invite-username">Username</Label>
                <Input
                  id="invite-username"
                  autoFocus
                  autoComplete="off"
                  value={username}
                  onChange={(e) => setUsername(e.target.value)}
                  aria-invalid={fieldErrors.username ? true : undefined}
                  aria-describedby={fieldErrors.username ? 'invite-username-error' : undefined}
                />
                {fieldErrors.username ? (
                  <p id="invite-username-error" className="text-xs text-destructive">
                    {fieldErrors.username}
                  </p>
                ) : null}
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="invite-display-name">Display name</Label>
                <Input
                  id="invite-display-name"
                  placeholder="Optional"
                  value={displayName}
                  onChange={(e) => setDisplayName(e.target.value)}
                  aria-invalid={fieldErrors.display_name ? true : undefined}
                />
                {fieldErrors.display_name ? (
                  <p className="text-xs text-destructive">{fieldErrors.display_name}</p>
                ) : null}
              </div>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="invite-role">Role</Label>
              <RoleSelect id="invite-role" value={role} onChange={setRole} />
              <p className="text-xs text-muted-foreground">{ROLES.find((r) => r.value === role)?.description}</p>
            </div>
            <DialogFooter>
              <Button type="button" variant="outline" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" disabled={invite.isPending || username.trim() === ''}>
                {invite.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <UserPlusIcon aria-hidden />}
                Create invite link
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  )
}
