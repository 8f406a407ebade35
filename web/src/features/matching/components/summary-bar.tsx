import type { MatchSummary } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'

const FIGURES = [
  ['unmatched', 'Unmatched', 'text-foreground'],
  ['with_candidates', 'With candidates', 'text-sky-700'],
  ['matched', 'Matched', 'text-emerald-700'],
  ['rejected', 'Rejected', 'text-red-700'],
] as const

/** The collection's cutouts by state. */
export function SummaryBar({ summary }: { summary: MatchSummary | undefined }) {
  return (
    <dl className="flex flex-wrap items-baseline gap-x-5 gap-y-1" data-testid="match-summary">
      {FIGURES.map(([key, label, color]) => (
        <div key={key} className="flex flex-row-reverse items-baseline justify-end gap-1.5">
          <dt className="text-xs text-muted-foreground">{label.toLowerCase()}</dt>
          <dd className={cn('text-lg font-semibold tabular-nums', color)} data-testid={`summary-${key}`}>
            {summary ? formatCount(summary[key]) : '–'}
          </dd>
        </div>
      ))}
    </dl>
  )
}
