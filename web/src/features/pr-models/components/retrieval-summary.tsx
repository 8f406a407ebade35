import type { RetrievalMetrics } from '@/lib/api'
import { headline, percent } from '../hooks/metrics'

/** Recall@1/5/10 and mAP@R as four figures, with how many queries they are over. */
export function RetrievalSummary({ metrics, testId = 'retrieval-summary' }: { metrics: RetrievalMetrics | null | undefined; testId?: string }) {
  return (
    <div className="flex flex-col gap-2" data-testid={testId}>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {headline(metrics).map((f) => (
          <div key={f.key} className="rounded-md border p-3" data-testid={`figure-${f.key}`}>
            <dt className="text-xs text-muted-foreground">{f.label}</dt>
            <dd className="text-2xl font-semibold tabular-nums">{percent(f.value)}</dd>
          </div>
        ))}
      </dl>
      {typeof metrics?.queries === 'number' ? (
        <p className="text-xs text-muted-foreground">
          Over {metrics.queries} queries
          {metrics.skipped_queries ? ` (${metrics.skipped_queries} without another image of their product left out)` : ''}.
        </p>
      ) : null}
    </div>
  )
}
