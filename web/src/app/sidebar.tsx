import { NavLink } from 'react-router'
import { useSession } from '@/features/auth'
import { HealthFooter } from '@/features/system'
import { cn } from '@/lib/utils'
import { visibleNavGroups } from './navigation'

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
