/** Shape a run's per-epoch history for the charts, and the run figures the pages print. */
import type { PrEpochMetrics, PrTrainingRun } from '@/lib/api'

/** The per-epoch series the charts draw. */
export const SERIES = [
  'loss',
  'loss_arcface',
  'loss_triplet',
  'loss_domain',
  'lr',
  'backbone_lr',
  'val_recall_at_1',
  'val_recall_at_5',
  'val_map_at_r',
] as const
export type Series = (typeof SERIES)[number]

export type HistoryPoint = { epoch: number } & Record<Series, number | null>

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/**
 * One point per epoch, ordered; a resumed run that reported an epoch again keeps the later report.
 * NaN, infinities and missing values become gaps.
 */
export function historyPoints(history: readonly PrEpochMetrics[] | null | undefined): HistoryPoint[] {
  const byEpoch = new Map<number, HistoryPoint>()
  for (const row of history ?? []) {
    if (!Number.isInteger(row.epoch)) continue
    const point = { epoch: row.epoch } as HistoryPoint
    for (const key of SERIES) point[key] = finite(row[key])
    byEpoch.set(row.epoch, point)
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch)
}

/** A share as a percentage ("83.3%"), or a dash. */
export function formatShare(value: number | null | undefined, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : '—'
}

/** A learning rate as the charts and tables print it ("1e-4", "3.2e-5"). */
export function formatLr(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—'
  if (value === 0) return '0'
  return value.toExponential(1).replace('.0e', 'e')
}

/** The run's best validation Recall@1 (the metric that picks the best checkpoint). */
export function bestRecall(run: Pick<PrTrainingRun, 'best_metrics'>): number | null {
  return finite(run.best_metrics?.val_recall_at_1)
}

/** "batch 12 / 40" while an epoch runs, else nothing. */
export function batchLabel(run: Pick<PrTrainingRun, 'status' | 'current_batch' | 'total_batches'>): string | null {
  if (run.status !== 'running' || run.total_batches <= 0 || run.current_batch <= 0) return null
  return `batch ${run.current_batch} / ${run.total_batches}`
}

const SOURCE_LABEL: Record<string, string> = {
  all_products: 'All products',
  matched_products: 'Matched products',
  dataset: 'Dataset',
}

/** "All products · 10 products · 120 images" (or "Dataset #4 · …") from the data config and the frozen summary. */
export function dataLabel(run: Pick<PrTrainingRun, 'data_config' | 'data_summary'>): string {
  const config = run.data_config
  const source = config?.source === 'dataset' && config.dataset_id !== null ? `Dataset #${config.dataset_id}` : (SOURCE_LABEL[config?.source] ?? config?.source ?? '—')
  const splits = [run.data_summary?.train, run.data_summary?.val, run.data_summary?.test]
  const products = splits.reduce((sum, s) => sum + (s?.products ?? 0), 0)
  const images = splits.reduce((sum, s) => sum + (s?.images ?? 0), 0)
  return products > 0 ? `${source} · ${products} products · ${images} images` : source
}
