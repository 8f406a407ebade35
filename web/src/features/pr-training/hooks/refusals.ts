/** What the API's refusals carry beyond the sentence: the models that block a delete, the data counts. */
import { isApiError } from '@/lib/api'

/** The registered models a 409 names (a checkpoint or run they came from), or null for any other error. */
export function linkedModelIds(error: unknown): number[] | null {
  if (!isApiError(error) || error.status !== 409) return null
  const ids = error.body?.model_ids
  if (!Array.isArray(ids)) return null
  return ids.filter((id): id is number => typeof id === 'number')
}

export interface DataShortfall {
  products: number
  images: number
  minProducts: number
  minImages: number
}

/** The counts of a "too little data" refusal (422, field "data"), or null. */
export function dataShortfall(error: unknown): DataShortfall | null {
  if (!isApiError(error) || error.status !== 422 || error.body?.field !== 'data') return null
  const body = error.body
  const n = (v: unknown) => (typeof v === 'number' ? v : null)
  const [products, images, minProducts, minImages] = [n(body.products), n(body.images), n(body.min_products), n(body.min_images)]
  if (products === null || images === null || minProducts === null || minImages === null) return null
  return { products, images, minProducts, minImages }
}
