import { DownloadIcon, Loader2Icon, TriangleAlertIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { JobProgress } from '@/features/jobs'
import { errorMessage } from '@/lib/api'
import { envState } from '../hooks/architectures'
import { useInstallTrainer, useTrainers } from '../hooks/queries'

/** "its environment is not installed" → "Its environment is not installed." */
function sentence(text: string): string {
  const trimmed = text.trim()
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(capital) ? capital : `${capital}.`
}

function mentionsCli(text: string | null | undefined): boolean {
  return (text ?? '').includes('shelfscope trainers install')
}

/** A family that trains in its own environment: whether it is installed, and a button to install it. */
export function TrainerEnvPanel({ family, title, reason, canInstall }: { family: string; title: string; reason: string | null; canInstall: boolean }) {
  const trainers = useTrainers()
  const install = useInstallTrainer()
  const env = trainers.data?.find((t) => t.family === family)
  const state = envState(env)
  if (state === 'builtin' || state === 'ready') return null
  const onInstall = () =>
    install.mutate(family, {
      onSuccess: () => toast.success(`Installing the ${title} environment`),
      onError: (error) => toast.error(errorMessage(error)),
    })
  return (
    <div className="flex flex-col gap-2 rounded-md border border-warning/40 bg-amber-50/50 p-3 text-sm" data-testid="trainer-env" data-state={state}>
      <p className="flex items-start gap-2">
        <TriangleAlertIcon className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
        <span>{sentence(state === 'installing' ? `The ${title} environment is being installed` : (reason ?? env?.missing ?? `${title} trains in an environment of its own, which is not installed yet`))}</span>
      </p>
      {state !== 'installing' && !mentionsCli(reason ?? env?.missing) ? (
        <p className="text-xs text-muted-foreground">
          From a shell: <code className="rounded bg-muted px-1 font-mono">shelfscope trainers install {family}</code>
        </p>
      ) : null}
      {state !== 'installing' && !canInstall ? <p className="text-xs text-muted-foreground">An admin can install it from this page.</p> : null}
      {state === 'installing' && env?.install_job ? <JobProgress job={env.install_job} /> : null}
      {state === 'failed' && env?.install_job?.error ? <p className="text-xs text-destructive">{env.install_job.error}</p> : null}
      {state !== 'installing' && canInstall ? (
        <Button size="sm" variant="outline" className="w-fit" onClick={onInstall} disabled={install.isPending} data-testid="install-trainer">
          {install.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <DownloadIcon aria-hidden />}
          {state === 'failed' ? 'Retry install' : 'Install environment'}
        </Button>
      ) : null}
    </div>
  )
}
