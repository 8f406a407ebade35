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
type Values = Record<Field, string>
type Errors = Partial<Record<Field, string>>

const EMPTY: Values = { current: '', next: '', confirm: '' }
const FIELDS: { field: Field; label: string; autoComplete: string; hint?: string }[] = [
  { field: 'current', label: 'Current password', autoComplete: 'current-password' },
  { field: 'next', label: 'New password', autoComplete: 'new-password', hint: `At least ${MIN_PASSWORD} characters.` },
  { field: 'confirm', label: 'Confirm new password', autoComplete: 'new-password' },
]

/** What is wrong with the form before the server is asked, by field. */
function checkPasswords({ current, next, confirm }: Values): Errors {
  const found: Errors = {}
  if (!current) found.current = 'Enter your current password.'
  if (next.length < MIN_PASSWORD) found.next = `At least ${MIN_PASSWORD} characters.`
  else if (next === current) found.next = 'Choose a password different from the current one.'
  if (!found.next && confirm !== next) found.confirm = 'The two new passwords do not match.'
  return found
}

/** The server's field errors mapped onto the form, or null when it refused for another reason. */
function refusedFields(error: unknown): Errors | null {
  if (!isApiError(error)) return null
  const wrong = error.fieldMessage('current_password')
  const weak = error.fieldMessage('new_password')
  if (!wrong && !weak) return null
  return { current: wrong ? 'That is not your current password.' : undefined, next: weak }
}

interface PasswordFieldProps {
  id: string
  label: string
  value: string
  onChange: (value: string) => void
  error?: string
  hint?: string
  autoComplete: string
  autoFocus?: boolean
}

function PasswordField({ id, label, value, onChange, error, hint, autoComplete, autoFocus }: PasswordFieldProps) {
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
  const [values, setValues] = useState<Values>(EMPTY)
  const [errors, setErrors] = useState<Errors>({})

  const close = (value: boolean) => {
    if (!value) {
      setValues(EMPTY)
      setErrors({})
    }
    onOpenChange(value)
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const found = checkPasswords(values)
    setErrors(found)
    if (Object.keys(found).length > 0) return
    change.mutate(
      { current_password: values.current, new_password: values.next },
      {
        onSuccess: () => {
          toast.success('Password changed')
          close(false)
        },
        onError: (error) => {
          const refused = refusedFields(error)
          if (refused) setErrors(refused)
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
          {FIELDS.map(({ field, label, autoComplete, hint }) => (
            <PasswordField
              key={field}
              id={`${field}-password`}
              label={label}
              autoComplete={autoComplete}
              autoFocus={field === 'current'}
              value={values[field]}
              onChange={(value) => setValues((current) => ({ ...current, [field]: value }))}
              error={errors[field]}
              hint={hint}
            />
          ))}
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
