/** Shape a comparison of 2–5 embedding models for its table, its chart and its visual grid. */
import { isRecord, type Job, type PrModelComparison, type PrVisualComparison } from '@/lib/api'
import { isShare, metricLabel } from './metrics'

export interface ChartRow {
  metric: string
  label: string
  /** `m<id>` → value in 0..1 */
  [modelKey: string]: string | number | null
}

/** The share metrics (Recall@K, mAP@R) as grouped bars: one row per metric, one key per model. */
export function chartRows(comparison: PrModelComparison): ChartRow[] {
  return comparison.rows
    .filter((row) => isShare(row.metric))
    .map((row) => {
      const out: ChartRow = { metric: row.metric, label: metricLabel(row.metric) }
      for (const m of comparison.models) {
        const v = row.values[String(m.id)]
        out[`m${m.id}`] = typeof v === 'number' && Number.isFinite(v) ? v : null
      }
      return out
    })
}

/** Whether a model holds the row's best value: the server's `best`, and any model tied with it. */
export function isBest(row: PrModelComparison['rows'][number], modelId: number): boolean {
  if (row.best === null) return false
  const top = row.values[String(row.best)]
  return modelId === row.best || (typeof top === 'number' && row.values[String(modelId)] === top)
}

/** The visual comparison in a finished `pr.models.compare` job's result, or null when it is not there (yet). */
export function visualResult(job: Pick<Job, 'status' | 'result'> | null | undefined): PrVisualComparison | null {
  if (!job || job.status !== 'succeeded' || !isRecord(job.result)) return null
  const r = job.result as unknown as PrVisualComparison
  return Array.isArray(r.models) && Array.isArray(r.queries) ? r : null
}

export const MODEL_COLORS = ['#4f46e5', '#10b981', '#f59e0b', '#ec4899', '#0ea5e9']
