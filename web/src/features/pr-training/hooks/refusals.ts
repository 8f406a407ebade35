/** What the API's refusals carry beyond the sentence: the models that block a delete, the data counts. */
import { apiFieldErrors, type FieldErrors } from '@/features/training'
import { isApiError } from '@/lib/api'

/** The registered models a 409 names (a checkpoint or run they came from), or null for any other error. */
export function linkedModelIds(error: unknown): number[] | null {
  if (!isApiError(error) || error.status !== 409) return null
  const ids = error.body?.model_ids
  if (!Array.isArray(ids)) return null
  return ids.filter((id): id is number => typeof id === 'number')
}

export interface DataShortfall {
  detail: string
  products: number
  images: number
  minProducts: number
  minImages: number
}

/** The counts of a "too little data" refusal (422 naming `data`, with the counts), or null. */
export function dataShortfall(error: unknown): DataShortfall | null {
  if (!isApiError(error) || error.status !== 422) return null
  const body = error.body
  const named = body?.field === 'data' || (body?.fields ?? []).some((f) => f.field === 'data')
  if (!body || !named) return null
  const n = (v: unknown) => (typeof v === 'number' ? v : null)
  const [products, images, minProducts, minImages] = [n(body.products), n(body.images), n(body.min_products), n(body.min_images)]
  if (products === null || images === null || minProducts === null || minImages === null) return null
  return { detail: error.detail, products, images, minProducts, minImages }
}

/**
 * The create form's errors from a refusal: fields as the API names them; a conflict about the backbone's
 * weights (not installed offline, gated without a token) goes under the backbone.
 */
export function runFormErrors(error: unknown): FieldErrors {
  const errors = apiFieldErrors(error)
  const keys = Object.keys(errors)
  if (isApiError(error) && typeof error.body?.backbone === 'string' && keys.length === 1 && keys[0] === '') return { backbone: error.detail }
  return errors
}
