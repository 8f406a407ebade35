/** Side-by-side comparison of 2 to 5 models on their test metrics. */
import type { ClassMetrics, ModelComparison, TrainedModel } from '@/lib/api'

export const MIN_COMPARE = 2
export const MAX_COMPARE = 5

/** "3,1,3,x" → [3, 1]: positive ids in order, without repeats, at most five. */
export function parseCompareIds(text: string | null): number[] {
  const out: number[] = []
  for (const part of (text ?? '').split(',')) {
    const id = Number(part.trim())
    if (Number.isInteger(id) && id > 0 && !out.includes(id)) out.push(id)
  }
  return out.slice(0, MAX_COMPARE)
}

/** Toggle a model in the selection (ignored past five). */
export function toggleCompare(ids: readonly number[], id: number): number[] {
  if (ids.includes(id)) return ids.filter((x) => x !== id)
  return ids.length >= MAX_COMPARE ? [...ids] : [...ids, id]
}

export interface CompareRow {
  key: string
  label: string
  values: (number | null)[]
  /** Indexes of the best value (ties share it); empty when no model has a value. */
  best: number[]
}

function bestOf(values: (number | null)[]): number[] {
  const present = values.filter((v): v is number => v !== null)
  if (present.length === 0) return []
  const top = Math.max(...present)
  return values.flatMap((v, i) => (v === top ? [i] : []))
}

const SUMMARY: { key: 'map50_95' | 'map50' | 'precision' | 'recall'; label: string }[] = [
  { key: 'map50_95', label: 'mAP50-95' },
  { key: 'map50', label: 'mAP50' },
  { key: 'precision', label: 'Precision' },
  { key: 'recall', label: 'Recall' },
]

function num(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

/** The overall test metrics, one row each. */
export function summaryRows(models: readonly TrainedModel[]): CompareRow[] {
  return SUMMARY.map(({ key, label }) => {
    const values = models.map((m) => num(m.metrics?.[key]))
    return { key, label, values, best: bestOf(values) }
  })
}

/**
 * AP50-95 per class, for every class any of the models knows: the server's per-model figure, else the
 * model's own per-class row (by class id or output index); a model without the class: null.
 */
/** A model's per-class row for a dataset class: by class id, else by its output index in the class mapping. */
export function classMetrics(model: Pick<TrainedModel, 'metrics' | 'classes'>, classId: number): ClassMetrics | undefined {
  const rows = model.metrics?.per_class ?? []
  const byId = rows.find((pc) => pc.class_id === classId)
  if (byId) return byId
  const index = model.classes.find((c) => c.class_id === classId)?.index
  return index === undefined ? undefined : rows.find((pc) => (pc.class_id === undefined || pc.class_id === null) && pc.index === index)
}

export function perClassRows(comparison: ModelComparison): CompareRow[] {
  return comparison.classes.map((c) => {
    const values = comparison.models.map((m) => num(c.ap50_95?.[String(m.id)]) ?? num(classMetrics(m, c.class_id)?.ap50_95))
    return { key: `class-${c.class_id}`, label: c.name, values, best: bestOf(values) }
  })
}
