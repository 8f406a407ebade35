import { useQuery } from '@tanstack/react-query'
import { NavLink } from 'react-router'
import { Tooltip, TooltipContent, TooltipTrigger } from '@/components/ui/tooltip'
import { useSession } from '@/features/auth'
import { queryKeys, systemApi } from '@/lib/api'
import { cn } from '@/lib/utils'
import { visibleNavGroups } from './navigation'

function HealthFooter() {
  const health = useQuery({
    queryKey: queryKeys.system.health(),
    queryFn: ({ signal }) => systemApi.health(signal),
    refetchInterval: 30_000,
    retry: false,
  })
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

export function Sidebar() {
  const session = useSession()
  const groups = visibleNavGroups(session.data?.user.role)
  return (
    <aside className="flex h-full w-60 shrink-0 flex-col border-r border-sidebar-border bg-sidebar text-sidebar-foreground">
      <div className="flex h-14 items-center gap-2.5 border-b border-sidebar-border px-4">
        <img src="/favicon.svg" alt="" className="size-7" />
        <span className="text-[15px] font-semibold tracking-tight text-white">Shelfscope</span>
      </div>
      <div className="flex-1 overflow-y-auto px-2 py-3">
        {groups.map((group) => (
          <nav
            key={group.id}
            aria-label={group.label ?? 'Main'}
            className={cn(group.label && 'mt-5')}
            data-testid={`nav-${group.id}`}
          >
            {group.label ? (
              <h2 className="mb-1 px-3 text-[11px] font-semibold tracking-wider text-sidebar-muted uppercase">
                {group.label}
              </h2>
            ) : null}
            <ul className="flex flex-col gap-0.5">
              {group.items.map((item) => (
                <li key={item.to}>
                  <NavLink
                    to={item.to}
                    end={item.end}
                    className={({ isActive }) =>
                      cn(
                        'flex h-8 items-center gap-2.5 rounded-md px-3 text-sm transition-colors hover:bg-sidebar-accent hover:text-white',
                        isActive && 'bg-sidebar-accent font-medium text-white',
                      )
                    }
                  >
                    <item.icon className="size-4 shrink-0 opacity-80" aria-hidden />
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        ))}
      </div>
      <div className="border-t border-sidebar-border">
        <HealthFooter />
      </div>
    </aside>
  )
}
