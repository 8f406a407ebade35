import { useLocation } from 'react-router'
import { UserMenu } from '@/features/auth'
import { JobsIndicator } from '@/features/jobs'
import { NAV_GROUPS } from './navigation'

/** The section and page the person is on, derived from the sidebar entries. */
function useBreadcrumb(): string[] {
  const { pathname } = useLocation()
  let best: { group: string | null; label: string; length: number } | null = null
  for (const group of NAV_GROUPS) {
    for (const item of group.items) {
      const matches = item.end ? pathname === item.to : pathname === item.to || pathname.startsWith(`${item.to}/`)
      if (matches && (!best || item.to.length > best.length)) {
        best = { group: group.label, label: item.label, length: item.to.length }
      }
    }
  }
  if (!best) return []
  return best.group ? [best.group, best.label] : [best.label]
}

export function TopBar() {
  const crumbs = useBreadcrumb()
  return (
    <header className="flex h-14 shrink-0 items-center justify-between gap-4 border-b bg-card px-6">
      <nav aria-label="Breadcrumb" className="min-w-0 text-sm">
        <ol className="flex items-center gap-2 text-muted-foreground">
          {crumbs.map((crumb, i) => (
            <li key={`${crumb}-${i}`} className="flex items-center gap-2">
              {i > 0 ? <span aria-hidden>/</span> : null}
              <span className={i === crumbs.length - 1 ? 'font-medium text-foreground' : undefined}>{crumb}</span>
            </li>
          ))}
        </ol>
      </nav>
      <div className="flex items-center gap-1">
        <JobsIndicator />
        <UserMenu />
      </div>
    </header>
  )
}
