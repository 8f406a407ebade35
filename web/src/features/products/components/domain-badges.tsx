import { PRODUCT_DOMAINS, type DomainCounts, type ProductDomain } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'
import { DOMAIN_COLOR, DOMAIN_LABEL } from '../hooks/domains'

/** One badge per domain with its image count; empty domains are drawn faint so gaps stand out. */
export function DomainBadges({ counts, className, compact = false }: { counts: Partial<DomainCounts>; className?: string; compact?: boolean }) {
  return (
    <span className={cn('inline-flex flex-wrap gap-1', className)} data-testid="domain-badges">
      {PRODUCT_DOMAINS.map((domain) => (
        <DomainBadge key={domain} domain={domain} count={counts[domain] ?? 0} compact={compact} />
      ))}
    </span>
  )
}

/** `compact`: the domain's initial only (S, R, A, C), its name in the tooltip. */
export function DomainBadge({ domain, count, compact = false }: { domain: ProductDomain; count: number; compact?: boolean }) {
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1 rounded-md border px-1.5 py-0.5 text-[11px] font-medium tabular-nums',
        count === 0 ? 'border-dashed text-muted-foreground/60' : 'bg-card',
      )}
      title={`${DOMAIN_LABEL[domain]}: ${formatCount(count)}`}
      data-testid={`domain-badge-${domain}`}
      data-count={count}
    >
      <span className="size-2 rounded-full" style={{ backgroundColor: count === 0 ? 'transparent' : DOMAIN_COLOR[domain], border: `1px solid ${DOMAIN_COLOR[domain]}` }} aria-hidden />
      {compact ? DOMAIN_LABEL[domain].charAt(0) : DOMAIN_LABEL[domain]} {formatCount(count)}
    </span>
  )
}

export function StatusBadge({ status }: { status: string }) {
  const variant = status === 'active' ? 'bg-emerald-50 text-emerald-700' : status === 'draft' ? 'bg-amber-50 text-amber-700' : 'bg-secondary text-secondary-foreground'
  return <span className={cn('inline-flex rounded-md px-2 py-0.5 text-xs font-medium capitalize', variant)}>{status}</span>
}
