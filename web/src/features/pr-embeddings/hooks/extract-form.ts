/** The extraction form without React: model choices in order, the form's checks and the request it sends. */
import {
  isRecord,
  PRODUCT_DOMAINS,
  type EmbedModel,
  type EmbedSource,
  type ExtractRequest,
  type ExtractResult,
  type Job,
  type ProductDomain,
} from '@/lib/api'

/** A model's value in the dropdown: `trained:<id>` or `stock:<backbone>`. */
export function modelValue(model: Pick<EmbedModel, 'kind' | 'trained_model_id' | 'backbone'>): string {
  return model.kind === 'trained' ? `trained:${model.trained_model_id ?? 0}` : `stock:${model.backbone}`
}

/** Why a model cannot be chosen, or null when it can. */
export function unavailableReason(model: EmbedModel): string | null {
  if (model.installed) return null
  if (model.kind === 'stock') return `Not installed: fetch it with \`shelfscope models fetch ${model.backbone}\` or copy it into models/${model.backbone}/.`
  return 'Its weights are missing from storage.'
}

/** Registered models first (as the API lists them), then the stock backbones. */
export function orderedModels(models: readonly EmbedModel[]): { trained: EmbedModel[]; stock: EmbedModel[] } {
  return { trained: models.filter((m) => m.kind === 'trained'), stock: models.filter((m) => m.kind === 'stock') }
}

/** The first model that can be used: the newest registered one, else an installed backbone. */
export function defaultModel(models: readonly EmbedModel[]): string | null {
  const { trained, stock } = orderedModels(models)
  const first = [...trained, ...stock].find((m) => unavailableReason(m) === null)
  return first ? modelValue(first) : null
}

/** The collection a model fills when no name is given. */
export function defaultCollectionName(model: Pick<EmbedModel, 'kind' | 'trained_model_id' | 'backbone'>): string {
  return model.kind === 'trained' ? `model-${model.trained_model_id ?? 0}` : `stock-${model.backbone}`
}

export interface ExtractForm {
  model: string | null
  collection: string
  sources: EmbedSource[]
  /** Empty: every domain. */
  domains: ProductDomain[]
  batchSize: string
}

export const DEFAULT_EXTRACT_FORM: ExtractForm = { model: null, collection: '', sources: ['product_images', 'cutouts'], domains: [], batchSize: '32' }

const NAME = /^[a-z0-9][a-z0-9_-]*$/

/** Field → message for what the API would refuse (its field names); empty when the form can be sent. */
export function extractFormErrors(form: ExtractForm, models: readonly EmbedModel[]): Record<string, string> {
  const errors: Record<string, string> = {}
  const model = models.find((m) => modelValue(m) === form.model)
  if (!model) errors.model = 'Choose a model.'
  else if (unavailableReason(model)) errors.model = unavailableReason(model) ?? ''
  const name = form.collection.trim()
  if (name !== '' && (!NAME.test(name) || name.length > 128)) errors.collection = 'Lower-case letters, digits, - and _ (up to 128).'
  if (form.sources.length === 0) errors.sources = 'Choose product images, cutouts or both.'
  const batch = Number(form.batchSize)
  if (!Number.isInteger(batch) || batch < 1 || batch > 256) errors.batch_size = 'A whole number from 1 to 256.'
  return errors
}

export function extractRequest(form: ExtractForm): ExtractRequest {
  const [kind, key] = (form.model ?? 'stock:').split(/:(.*)/s) as [string, string]
  return {
    model: kind === 'trained' ? { kind: 'trained', trained_model_id: Number(key) } : { kind: 'stock', backbone: key },
    collection: form.collection.trim() || null,
    sources: [...form.sources],
    domains: form.domains.length === 0 || form.domains.length === PRODUCT_DOMAINS.length ? null : PRODUCT_DOMAINS.filter((d) => form.domains.includes(d)),
    batch_size: Number(form.batchSize),
  }
}

/** Add or remove one entry of a list of choices, keeping the given order. */
export function toggled<T>(list: readonly T[], value: T, order: readonly T[]): T[] {
  const next = list.includes(value) ? list.filter((v) => v !== value) : [...list, value]
  return order.filter((v) => next.includes(v))
}

export function extractResultOf(job: Pick<Job, 'result'>): ExtractResult | null {
  const r = job.result
  if (!isRecord(r) || typeof r.embedded !== 'number') return null
  const n = (v: unknown) => (typeof v === 'number' ? v : 0)
  return { embedded: r.embedded, unchanged: n(r.unchanged), removed: n(r.removed), skipped: Array.isArray(r.skipped) ? r.skipped : [], candidates: n(r.candidates) }
}

/** "12 embedded, 3 unchanged, 40 candidates" for the toast and the panel. */
export function extractResultText(result: ExtractResult): string {
  const parts = [`${result.embedded} embedded`, `${result.unchanged} unchanged`]
  if (result.removed > 0) parts.push(`${result.removed} removed`)
  if (result.skipped.length > 0) parts.push(`${result.skipped.length} skipped`)
  parts.push(`${result.candidates} match candidates`)
  return parts.join(', ')
}
