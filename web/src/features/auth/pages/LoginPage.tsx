import { useState, type FormEvent } from 'react'
import { Loader2Icon, SparklesIcon } from 'lucide-react'
import { useNavigate, useSearchParams } from 'react-router'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { errorMessage, isApiError } from '@/lib/api'
import { AuthShell } from '../components/auth-shell'
import { useFirstRun } from '../hooks/account'
import { safeNextPath, useLogin } from '../hooks/session'

/** On a fresh install nobody has an account yet: the only way in is the link `shelfscope serve` printed. */
function FreshInstallNotice() {
  return (
    <Card className="mb-4 border-sky-200 bg-sky-50" role="note" data-testid="fresh-install">
      <CardHeader className="flex-row items-start gap-3 pb-5">
        <SparklesIcon className="mt-0.5 size-5 shrink-0 text-sky-700" aria-hidden />
        <div className="flex flex-col gap-1.5">
          <h2 className="text-sm font-semibold text-sky-950">This is a fresh install</h2>
          <p className="text-sm text-sky-900">
            There are no accounts yet. Open the one-time setup link printed by{' '}
            <code className="rounded bg-sky-100 px-1 py-0.5 font-mono text-xs">shelfscope serve</code> in the terminal
            to create the admin account.
          </p>
          <p className="text-xs text-sky-800">
            Lost it? Restart <code className="font-mono">shelfscope serve</code>: it prints a fresh link.
          </p>
        </div>
      </CardHeader>
    </Card>
  )
}

export function LoginPage() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const login = useLogin()
  const firstRun = useFirstRun()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [formError, setFormError] = useState<string | null>(null)

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    setFormError(null)
    login.mutate(
      { username: username.trim(), password },
      {
        onSuccess: (session) => {
          toast.success(`Signed in as ${session.user.username}`)
          void navigate(safeNextPath(params.get('next')), { replace: true })
        },
        onError: (error) => {
          const message =
            isApiError(error) && error.status === 401 ? 'Wrong username or password.' : errorMessage(error)
          setFormError(message)
          // The inline message answers a wrong password; anything else also gets a toast.
          if (!isApiError(error) || error.status !== 401) toast.error(message)
        },
      },
    )
  }

  return (
    <AuthShell>
      {firstRun.data?.setup_required ? <FreshInstallNotice /> : null}
      <Card>
        <CardHeader className="pb-5">
          <h1 className="text-lg font-semibold">Sign in</h1>
          <CardDescription>Use the account your administrator set up for you.</CardDescription>
        </CardHeader>
        <CardContent>
          <form className="flex flex-col gap-4" onSubmit={onSubmit} noValidate>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="username">Username</Label>
              <Input
                id="username"
                name="username"
                autoComplete="username"
                autoFocus
                required
                value={username}
                onChange={(e) => setUsername(e.target.value)}
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="password">Password</Label>
              <Input
                id="password"
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                aria-invalid={formError ? true : undefined}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
            {formError ? (
              <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                {formError}
              </p>
            ) : null}
            <Button type="submit" disabled={login.isPending || !username || !password}>
              {login.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Sign in
            </Button>
          </form>
        </CardContent>
      </Card>
    </AuthShell>
  )
}
