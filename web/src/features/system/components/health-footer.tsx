import { Tooltip, TooltipContent, TooltipTrigger } from '@/components/ui/tooltip'
import { cn } from '@/lib/utils'
import { useHealth } from '../hooks/system'

/** The sidebar's last line: whether the database, storage and jobs answer, and the server version. */
export function HealthFooter() {
  const health = useHealth()
  const ok = health.data?.status === 'ok'
  const label = health.isPending
    ? 'Checking…'
    : health.isError
      ? 'Server unreachable'
      : ok
        ? 'All systems normal'
        : 'Degraded'
  const problems = health.data
    ? Object.entries(health.data.checks)
        .filter(([, check]) => !check.ok)
        .map(([name, check]) => `${name}: ${check.detail ?? 'failing'}`)
    : []
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <div className="flex items-center gap-2 px-3 py-3 text-xs text-sidebar-muted" data-testid="health">
          <span
            className={cn(
              'size-2 rounded-full',
              health.isPending ? 'bg-sidebar-muted' : ok ? 'bg-emerald-400' : 'bg-amber-400',
            )}
            aria-hidden
          />
          <span className="truncate">{label}</span>
          {health.data ? <span className="ml-auto font-mono">v{health.data.version}</span> : null}
        </div>
      </TooltipTrigger>
      <TooltipContent side="right">
        {problems.length > 0 ? problems.join(' · ') : health.data ? 'Database, storage and jobs are healthy' : label}
      </TooltipContent>
    </Tooltip>
  )
}
