/** The cutouts page's logic without React: filters in the URL, the box on the shelf photo, the make-cutouts form and its result. */
import {
  CUTOUT_STATES,
  isRecord,
  type CutoutBox,
  type CutoutFilters,
  type CutoutJobRequest,
  type CutoutJobResult,
  type CutoutSource,
  type CutoutState,
  type Job,
} from '@/lib/api'

function positiveInt(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null
  const n = Number(value)
  return n > 0 ? n : null
}

export function readCutoutFilters(params: URLSearchParams): CutoutFilters {
  const state = params.get('state')
  return {
    state: state !== null && (CUTOUT_STATES as readonly string[]).includes(state) ? (state as CutoutState) : null,
    dataset_id: positiveInt(params.get('dataset')),
    class_id: positiveInt(params.get('class')),
    product_id: positiveInt(params.get('product')),
  }
}

export function writeCutoutFilters(filters: CutoutFilters): URLSearchParams {
  const params = new URLSearchParams()
  if (filters.state) params.set('state', filters.state)
  if (filters.dataset_id) params.set('dataset', String(filters.dataset_id))
  if (filters.class_id) params.set('class', String(filters.class_id))
  if (filters.product_id) params.set('product', String(filters.product_id))
  return params
}

export interface PercentRect {
  left: number
  top: number
  width: number
  height: number
}

/** The box as percentages of the photo, clamped to it, so it follows the picture at any displayed size. */
export function boxPercent(box: CutoutBox, width: number, height: number): PercentRect {
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v))
  const x1 = clamp(Math.min(box.x1, box.x2), width)
  const x2 = clamp(Math.max(box.x1, box.x2), width)
  const y1 = clamp(Math.min(box.y1, box.y2), height)
  const y2 = clamp(Math.max(box.y1, box.y2), height)
  const w = width > 0 ? width : 1
  const h = height > 0 ? height : 1
  return { left: (x1 / w) * 100, top: (y1 / h) * 100, width: ((x2 - x1) / w) * 100, height: ((y2 - y1) / h) * 100 }
}

export interface MakeCutoutsForm {
  datasetId: number | null
  source: CutoutSource
  classIds: number[]
  model: string | null
  /** Comma-separated, for open-vocabulary detectors. */
  prompts: string
  threshold: string
  margin: string
}

export const DEFAULT_MAKE_FORM: MakeCutoutsForm = {
  datasetId: null,
  source: 'annotations',
  classIds: [],
  model: null,
  prompts: '',
  threshold: '0.3',
  margin: '0.05',
}

function fraction(text: string): number | null {
  const n = Number(text)
  return text.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : null
}

/** Field → message for what the API would refuse; empty when the form can be sent. */
export function makeFormErrors(form: MakeCutoutsForm): Record<string, string> {
  const errors: Record<string, string> = {}
  if (form.datasetId === null) errors.dataset_id = 'Choose a dataset.'
  if (form.source === 'predictions' && !form.model) errors.model = 'Choose a detector.'
  if (form.source === 'predictions' && fraction(form.threshold) === null) errors.threshold = 'A number from 0 to 1.'
  if (fraction(form.margin) === null) errors.margin = 'A number from 0 to 1.'
  return errors
}

export function makeRequest(form: MakeCutoutsForm): CutoutJobRequest {
  const body: CutoutJobRequest = { dataset_id: form.datasetId ?? 0, source: form.source, margin: fraction(form.margin) ?? 0.05 }
  if (form.classIds.length > 0) body.class_ids = [...form.classIds]
  if (form.source === 'predictions') {
    body.model = form.model ?? undefined
    body.threshold = fraction(form.threshold) ?? 0.3
    const prompts = form.prompts.split(',').map((p) => p.trim()).filter(Boolean)
    if (prompts.length > 0) body.prompts = prompts
  }
  return body
}

export function cutoutJobResultOf(job: Pick<Job, 'result'>): CutoutJobResult | null {
  const r = job.result
  if (!isRecord(r) || typeof r.created !== 'number') return null
  return {
    created: r.created,
    existing: typeof r.existing === 'number' ? r.existing : 0,
    images: typeof r.images === 'number' ? r.images : 0,
    skipped: Array.isArray(r.skipped) ? r.skipped : [],
  }
}

/** Add or remove one id; with shift, the whole run between the last one clicked and this one. */
export function toggleSelection(selected: ReadonlySet<number>, id: number, order: readonly number[], anchor: number | null, range: boolean): Set<number> {
  const next = new Set(selected)
  if (range && anchor !== null) {
    const a = order.indexOf(anchor)
    const b = order.indexOf(id)
    if (a >= 0 && b >= 0) {
      for (const i of order.slice(Math.min(a, b), Math.max(a, b) + 1)) next.add(i)
      return next
    }
  }
  if (next.has(id)) next.delete(id)
  else next.add(id)
  return next
}
