import { useState, type FormEvent } from 'react'
import { Loader2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { errorMessage, isApiError } from '@/lib/api'
import { useChangePassword } from '../hooks/account'

const MIN_PASSWORD = 8
type Field = 'current' | 'next' | 'confirm'

function PasswordField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
  autoComplete,
  autoFocus,
}: {
  id: string
  label: string
  value: string
  onChange: (value: string) => void
  error?: string
  hint?: string
  autoComplete: string
  autoFocus?: boolean
}) {
  const note = error ?? hint
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        type="password"
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={note ? `${id}-note` : undefined}
      />
      {note ? (
        <p id={`${id}-note`} className={error ? 'text-xs text-destructive' : 'text-xs text-muted-foreground'}>
          {note}
        </p>
      ) : null}
    </div>
  )
}

/** The signed-in person changes their own password; the current one proves it is them. */
export function ChangePasswordDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const change = useChangePassword()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({})

  const reset = () => {
    setCurrent('')
    setNext('')
    setConfirm('')
    setErrors({})
  }
  const close = (value: boolean) => {
    if (!value) reset()
    onOpenChange(value)
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const found: Partial<Record<Field, string>> = {}
    if (!current) found.current = 'Enter your current password.'
    if (next.length < MIN_PASSWORD) found.next = `At least ${MIN_PASSWORD} characters.`
    else if (next === current) found.next = 'Choose a password different from the current one.'
    if (!found.next && confirm !== next) found.confirm = 'The two new passwords do not match.'
    setErrors(found)
    if (Object.keys(found).length > 0) return
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          toast.success('Password changed')
          close(false)
        },
        onError: (error) => {
          const wrong = isApiError(error) ? error.fieldMessage('current_password') : undefined
          const weak = isApiError(error) ? error.fieldMessage('new_password') : undefined
          if (wrong || weak) setErrors({ current: wrong && 'That is not your current password.', next: weak })
          else toast.error(errorMessage(error))
        },
      },
    )
  }

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent className="sm:max-w-md" data-testid="change-password-dialog">
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Change password</DialogTitle>
            <DialogDescription>You stay signed in here. Next time, sign in with the new password.</DialogDescription>
          </DialogHeader>
          <PasswordField
            id="current-password"
            label="Current password"
            autoComplete="current-password"
            autoFocus
            value={current}
            onChange={setCurrent}
            error={errors.current}
          />
          <PasswordField
            id="new-password"
            label="New password"
            autoComplete="new-password"
            value={next}
            onChange={setNext}
            error={errors.next}
            hint={`At least ${MIN_PASSWORD} characters.`}
          />
          <PasswordField
            id="confirm-password"
            label="Confirm new password"
            autoComplete="new-password"
            value={confirm}
            onChange={setConfirm}
            error={errors.confirm}
          />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => close(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={change.isPending}>
              {change.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Change password
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
