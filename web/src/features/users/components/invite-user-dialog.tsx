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

function InviteResult({ issued, onClose }: { issued: IssuedSetupLink; onClose: () => void }) {
  return (
    <>
      <DialogHeader>
        <DialogTitle>{issued.user.username} is invited</DialogTitle>
        <DialogDescription>They choose their own password through this link; until then they cannot sign in.</DialogDescription>
      </DialogHeader>
      <SetupLinkCard issued={issued} />
      <DialogFooter>
        <Button onClick={onClose}>Done</Button>
      </DialogFooter>
    </>
  )
}

interface TextFieldProps {
  id: string
  label: string
  value: string
  onChange: (value: string) => void
  error: string | undefined
  placeholder?: string
  autoFocus?: boolean
}

function TextField({ id, label, value, onChange, error, placeholder, autoFocus }: TextFieldProps) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        autoFocus={autoFocus}
        autoComplete="off"
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error ? (
        <p id={`${id}-error`} className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  )
}

function InviteForm({ onIssued, onClose }: { onIssued: (issued: IssuedSetupLink) => void; onClose: () => void }) {
  const [username, setUsername] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [role, setRole] = useState<Role>('annotator')
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const invite = useInviteUser()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const name = username.trim()
    if (!USERNAME.test(name)) {
      setFieldErrors({ username: '2–64 letters, digits, dots, dashes or underscores, starting with a letter or digit' })
      return
    }
    setFieldErrors({})
    invite.mutate(
      { username: name, display_name: displayName.trim(), role },
      {
        onSuccess: (result) => {
          toast.success(`Invited ${result.user.username}`)
          onIssued(result)
        },
        onError: (error) => {
          setFieldErrors(fieldErrorsOf(error))
          toast.error(errorMessage(error))
        },
      },
    )
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <DialogHeader>
        <DialogTitle>Invite a user</DialogTitle>
        <DialogDescription>
          Shelfscope makes a one-time link for you to send; nobody ever types a password for someone else.
        </DialogDescription>
      </DialogHeader>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField id="invite-username" label="Username" value={username} onChange={setUsername} error={fieldErrors.username} autoFocus />
        <TextField
          id="invite-display-name"
          label="Display name"
          placeholder="Optional"
          value={displayName}
          onChange={setDisplayName}
          error={fieldErrors.display_name}
        />
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
  )
}

/** Create an account without a password; the result is the one-time link the person opens to choose one. */
export function InviteUserDialog({ onClose }: { onClose: () => void }) {
  const [issued, setIssued] = useState<IssuedSetupLink | null>(null)
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-lg" data-testid="invite-dialog">
        {issued ? <InviteResult issued={issued} onClose={onClose} /> : <InviteForm onIssued={setIssued} onClose={onClose} />}
      </DialogContent>
    </Dialog>
  )
}
