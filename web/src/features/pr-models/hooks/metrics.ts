/** How retrieval figures are named and printed on the model and evaluation pages. */
import type { RetrievalMetrics } from '@/lib/api'

export const RETRIEVAL_FIGURES: { key: 'recall_at_1' | 'recall_at_5' | 'recall_at_10' | 'map_at_r'; label: string }[] = [
  { key: 'recall_at_1', label: 'Recall@1' },
  { key: 'recall_at_5', label: 'Recall@5' },
  { key: 'recall_at_10', label: 'Recall@10' },
  { key: 'map_at_r', label: 'mAP@R' },
]

const METRIC_LABEL: Record<string, string> = Object.fromEntries(RETRIEVAL_FIGURES.map((f) => [f.key, f.label]))

/** "recall_at_1" → "Recall@1"; an unknown name is shown as it is, underscores as spaces. */
export function metricLabel(name: string): string {
  return METRIC_LABEL[name] ?? name.replace(/_/g, ' ')
}

/** A share in 0..1 as a percentage ("83.3%"), or a dash. */
export function percent(value: number | null | undefined, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : '—'
}

/** Whether a metric is a share (shown as a percentage) rather than a count. */
export function isShare(name: string): boolean {
  return name.startsWith('recall_at_') || name.startsWith('map_at_') || name === 'map'
}

/** A metric value as its row prints it: shares as percentages, counts as numbers. */
export function formatValue(name: string, value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—'
  return isShare(name) ? percent(value) : String(Math.round(value * 1000) / 1000)
}

/** The four headline figures of a metrics object, for a bar chart (percent) or a table. */
export function headline(metrics: RetrievalMetrics | null | undefined): { key: string; label: string; value: number | null }[] {
  return RETRIEVAL_FIGURES.map(({ key, label }) => {
    const v = metrics?.[key]
    return { key, label, value: typeof v === 'number' && Number.isFinite(v) ? v : null }
  })
}
