import { useState, type FormEvent } from 'react'
import type * as React from 'react'
import { Link2OffIcon, Loader2Icon } from 'lucide-react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { toast } from 'sonner'
import { LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { errorMessage, isApiError } from '@/lib/api'
import { AuthShell } from '../components/auth-shell'
import { useCompleteSetup, useSetupLink } from '../hooks/session'

const MIN_PASSWORD = 8

function InvalidLink({ reason }: { reason: React.ReactNode }) {
  return (
    <Card role="alert">
      <CardHeader className="items-center text-center">
        <div className="mb-2 flex size-10 items-center justify-center rounded-full bg-red-50 text-destructive">
          <Link2OffIcon className="size-5" aria-hidden />
        </div>
        <h1 className="text-lg font-semibold">This link cannot be used</h1>
        <CardDescription>{reason}</CardDescription>
      </CardHeader>
      <CardContent className="flex justify-center">
        <Button variant="outline" asChild>
          <Link to="/login">Go to sign in</Link>
        </Button>
      </CardContent>
    </Card>
  )
}

/** What keeps the form from being sent, or null. */
function setupProblem(firstAdmin: boolean, username: string, password: string, confirm: string): string | null {
  if (firstAdmin && username.trim().length === 0) return 'Choose a username.'
  if (password.length < MIN_PASSWORD) return `The password needs at least ${MIN_PASSWORD} characters.`
  if (password !== confirm) return 'The two passwords do not match.'
  return null
}

function SetupHeader({ firstAdmin, username }: { firstAdmin: boolean; username: string | null }) {
  return (
    <CardHeader className="pb-5">
      <h1 className="text-lg font-semibold">{firstAdmin ? 'Create the admin account' : 'Set your password'}</h1>
      <CardDescription>
        {firstAdmin
          ? 'This is the first run of Shelfscope. The account you create here administers it.'
          : `Choose a password for ${username ?? 'your account'}.`}
      </CardDescription>
    </CardHeader>
  )
}

function UsernameField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor="setup-username">Username</Label>
      <Input id="setup-username" autoComplete="username" autoFocus value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  )
}

function SetupForm({ token, firstAdmin, username: linkUser }: { token: string; firstAdmin: boolean; username: string | null }) {
  const setup = useCompleteSetup()
  const navigate = useNavigate()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [formError, setFormError] = useState<string | null>(null)

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    const problem = setupProblem(firstAdmin, username, password, confirm)
    setFormError(problem)
    if (problem) return
    setup.mutate(
      { token, password, ...(firstAdmin ? { username: username.trim() } : {}) },
      {
        onSuccess: (session) => {
          toast.success(`Welcome, ${session.user.username}`)
          void navigate('/od', { replace: true })
        },
        onError: (error) => {
          const message = errorMessage(error)
          setFormError(message)
          toast.error(message)
        },
      },
    )
  }

  return (
    <Card>
      <SetupHeader firstAdmin={firstAdmin} username={linkUser} />
      <CardContent>
        <form className="flex flex-col gap-4" onSubmit={onSubmit} noValidate>
          {firstAdmin ? <UsernameField value={username} onChange={setUsername} /> : null}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="setup-password">Password</Label>
            <Input
              id="setup-password"
              type="password"
              autoComplete="new-password"
              autoFocus={!firstAdmin}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <p className="text-xs text-muted-foreground">At least {MIN_PASSWORD} characters.</p>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="setup-confirm">Confirm password</Label>
            <Input
              id="setup-confirm"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </div>
          {formError ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              {formError}
            </p>
          ) : null}
          <Button type="submit" disabled={setup.isPending}>
            {setup.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            {firstAdmin ? 'Create account and sign in' : 'Set password and sign in'}
          </Button>
        </form>
      </CardContent>
    </Card>
  )
}

export function SetupPage() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const link = useSetupLink(token)

  if (!token) {
    return (
      <AuthShell>
        <InvalidLink reason="The link has no token. Copy the full link that Shelfscope printed or an administrator sent you." />
      </AuthShell>
    )
  }
  if (link.isPending) {
    return (
      <AuthShell>
        <LoadingState label="Checking your link…" />
      </AuthShell>
    )
  }
  if (link.isError) {
    const reason =
      isApiError(link.error) && link.error.status === 404 ? (
        <>
          It is invalid, already used or expired. Ask an administrator for a new one (Admin → Users), or run{' '}
          <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs text-foreground">shelfscope users link NAME</code>{' '}
          on the server.
        </>
      ) : (
        errorMessage(link.error)
      )
    return (
      <AuthShell>
        <InvalidLink reason={reason} />
      </AuthShell>
    )
  }
  return (
    <AuthShell>
      <SetupForm token={token} firstAdmin={link.data.purpose === 'first_admin'} username={link.data.username} />
    </AuthShell>
  )
}
