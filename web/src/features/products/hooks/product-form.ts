/** The product form's values, checked in the browser the way the API checks them, and the patch they make. */
import { isApiError, isRecord, type FrozenVersionRef, type JsonObject, type Product, type ProductCreate, type ProductStatus } from '@/lib/api'

export interface ProductFormValues {
  sku: string
  name: string
  barcode: string
  brand: string
  category: string
  status: ProductStatus
  /** JSON object text; empty means no attributes. */
  attributes: string
}

export const EMPTY_PRODUCT_FORM: ProductFormValues = {
  sku: '',
  name: '',
  barcode: '',
  brand: '',
  category: '',
  status: 'active',
  attributes: '',
}

export function formValuesOf(product: Product): ProductFormValues {
  return {
    sku: product.sku,
    name: product.name,
    barcode: product.barcode ?? '',
    brand: product.brand ?? '',
    category: product.category ?? '',
    status: product.status,
    attributes: Object.keys(product.attributes).length > 0 ? JSON.stringify(product.attributes, null, 2) : '',
  }
}

/** A JSON object, or the sentence saying why the text is not one. */
export function parseAttributes(text: string): { value: JsonObject; error: string | null } {
  if (text.trim() === '') return { value: {}, error: null }
  try {
    const parsed: unknown = JSON.parse(text)
    if (!isRecord(parsed)) return { value: {}, error: 'Attributes must be a JSON object, like {"size": "1 l"}.' }
    return { value: parsed as JsonObject, error: null }
  } catch {
    return { value: {}, error: 'Not valid JSON.' }
  }
}

export type ProductFormErrors = Partial<Record<keyof ProductFormValues, string>>

export function validateProductForm(values: ProductFormValues): ProductFormErrors {
  const errors: ProductFormErrors = {}
  if (!values.sku.trim()) errors.sku = 'A SKU or barcode is needed.'
  if (!values.name.trim()) errors.name = 'A name is needed.'
  const attributes = parseAttributes(values.attributes)
  if (attributes.error) errors.attributes = attributes.error
  return errors
}

function orNull(text: string): string | null {
  return text.trim() === '' ? null : text.trim()
}

export function createBody(values: ProductFormValues): ProductCreate {
  return {
    sku: values.sku.trim(),
    name: values.name.trim(),
    barcode: orNull(values.barcode),
    brand: orNull(values.brand),
    category: orNull(values.category),
    status: values.status,
    attributes: parseAttributes(values.attributes).value,
  }
}

/** Only the fields that changed, so a save never overwrites what someone else edited meanwhile. */
export function patchBody(product: Product, values: ProductFormValues): Partial<ProductCreate> {
  const next = createBody(values)
  const patch: Partial<ProductCreate> = {}
  if (next.sku !== product.sku) patch.sku = next.sku
  if (next.name !== product.name) patch.name = next.name
  if (next.barcode !== (product.barcode ?? null)) patch.barcode = next.barcode
  if (next.brand !== (product.brand ?? null)) patch.brand = next.brand
  if (next.category !== (product.category ?? null)) patch.category = next.category
  if (next.status !== product.status) patch.status = next.status
  if (JSON.stringify(next.attributes) !== JSON.stringify(product.attributes)) patch.attributes = next.attributes
  return patch
}

/** The API's refusal as field → message (422 `fields`, or a 409 naming its `field`). */
export function serverFieldErrors(error: unknown): Record<string, string> {
  if (!isApiError(error)) return {}
  const out: Record<string, string> = {}
  for (const f of error.body?.fields ?? []) out[f.field.replace(/\s*→\s*/g, '.').replace(/^body\./, '')] ??= f.message
  if (typeof error.body?.field === 'string') out[error.body.field] ??= error.detail
  return out
}

/** The frozen PR dataset versions a refused delete names (409), or null for any other error. */
export function frozenVersionsOf(error: unknown): FrozenVersionRef[] | null {
  if (!isApiError(error) || error.status !== 409 || !Array.isArray(error.body?.versions)) return null
  return (error.body.versions as unknown[]).filter(isRecord).map((v) => ({
    dataset_id: Number(v.dataset_id),
    dataset: String(v.dataset ?? ''),
    version_id: Number(v.version_id),
    number: Number(v.number),
  }))
}
