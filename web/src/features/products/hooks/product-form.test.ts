import { describe, expect, it } from 'vitest'
import { ApiError, type Product } from '@/lib/api'
import { createBody, EMPTY_PRODUCT_FORM, formValuesOf, frozenVersionsOf, patchBody, serverFieldErrors, validateProductForm } from './product-form'

const product: Product = {
  id: 4,
  sku: 'gsd_Arla-Standard-Milk',
  barcode: null,
  name: 'Arla Standard Milk',
  brand: 'Arla',
  category: null,
  attributes: { coarse_class: 'Milk' },
  status: 'active',
  image_count: 16,
  domain_counts: { synthetic: 1, real: 15, augmented: 0, cutout: 0 },
  cover_image: null,
  created_at: '2026-12-03T07:00:00Z',
  updated_at: '2026-12-03T07:00:00Z',
}

describe('product form', () => {
  it('needs a SKU and a name, and attributes as a JSON object', () => {
    expect(validateProductForm(EMPTY_PRODUCT_FORM)).toEqual({ sku: 'A SKU or barcode is needed.', name: 'A name is needed.' })
    expect(validateProductForm({ ...EMPTY_PRODUCT_FORM, sku: 'a', name: 'b', attributes: '[1]' }).attributes).toMatch(/JSON object/)
    expect(validateProductForm({ ...EMPTY_PRODUCT_FORM, sku: 'a', name: 'b', attributes: '{' }).attributes).toBe('Not valid JSON.')
  })

  it('sends empty optional fields as null', () => {
    expect(createBody({ ...EMPTY_PRODUCT_FORM, sku: ' s1 ', name: 'One', brand: ' ' })).toEqual({
      sku: 's1', name: 'One', barcode: null, brand: null, category: null, status: 'active', attributes: {},
    })
  })

  it('patches only what changed', () => {
    const values = formValuesOf(product)
    expect(patchBody(product, values)).toEqual({})
    expect(patchBody(product, { ...values, category: 'Milk', status: 'draft' })).toEqual({ category: 'Milk', status: 'draft' })
    expect(patchBody(product, { ...values, attributes: '' })).toEqual({ attributes: {} })
  })
})

describe('server refusals', () => {
  it('puts a duplicate SKU (409 naming its field) and 422 fields at their inputs', () => {
    expect(serverFieldErrors(new ApiError(409, { error: 'Conflict', detail: 'SKU taken', field: 'sku' }))).toEqual({ sku: 'SKU taken' })
    expect(serverFieldErrors(new ApiError(422, { error: 'ValidationFailed', detail: 'bad', fields: [{ field: 'body.name', message: 'too long' }] }))).toEqual({ name: 'too long' })
  })

  it('reads the frozen versions a refused delete names', () => {
    const error = new ApiError(409, { error: 'Conflict', detail: 'in use', versions: [{ dataset_id: 2, dataset: 'Milk', version_id: 7, number: 1 }] })
    expect(frozenVersionsOf(error)).toEqual([{ dataset_id: 2, dataset: 'Milk', version_id: 7, number: 1 }])
    expect(frozenVersionsOf(new ApiError(409, { error: 'Conflict', detail: 'other' }))).toBeNull()
  })
})
