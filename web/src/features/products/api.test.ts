import { describe, expect, it } from 'vitest'
import { catalogueForm, productFilterQuery } from './api'

describe('products API', () => {
  it('sends the catalogue, the zip and both maps as the import form', () => {
    const csv = new File(['product_id,name\n'], 'products.csv', { type: 'text/csv' })
    const zip = new File(['PK'], 'images.zip', { type: 'application/zip' })
    const form = catalogueForm(csv, zip, {
      columns: { sku: 'product_id' },
      domain_map: { studio: 'synthetic', store: 'real', shelf: 'cutout' },
      on_existing: 'skip',
    })
    expect((form.get('catalogue') as File).name).toBe('products.csv')
    expect((form.get('images') as File).name).toBe('images.zip')
    expect(form.get('on_existing')).toBe('skip')
    expect(JSON.parse(String(form.get('columns')))).toEqual({ sku: 'product_id' })
    expect(JSON.parse(String(form.get('domain_map')))).toEqual({ studio: 'synthetic', store: 'real', shelf: 'cutout' })
  })

  it('leaves out the zip and empty maps, and refuses existing SKUs by default', () => {
    const form = catalogueForm(new File(['sku,name\n'], 'c.csv'), null, { columns: {}, domain_map: {} })
    expect(form.has('images')).toBe(false)
    expect(form.has('columns')).toBe(false)
    expect(form.has('domain_map')).toBe(false)
    expect(form.get('on_existing')).toBe('fail')
  })

  it('turns filters into query parameters, a blank search left out', () => {
    expect(productFilterQuery({ q: '  ', brand: 'Arla', missing_domain: 'cutout', min_images_below: 5 })).toMatchObject({
      q: undefined,
      brand: 'Arla',
      missing_domain: 'cutout',
      min_images_below: 5,
    })
  })
})
