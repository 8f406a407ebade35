import { describe, expect, it } from 'vitest'
import { createBody, DEFAULT_FORM, distributionBars, domainBars, formErrors } from './logic'

describe('PR dataset form', () => {
  it('needs a name, a domain, a whole minimum and, for a selection, something selected', () => {
    expect(formErrors({ ...DEFAULT_FORM, domains: [], minImages: '-1' })).toEqual({
      name: 'A name is needed.',
      domains: 'Count at least one domain.',
      min_images_per_product: 'A whole number, 0 or more.',
    })
    expect(formErrors({ ...DEFAULT_FORM, name: 'x', source: 'selection' }).selection).toMatch(/Pick products/)
    expect(formErrors({ ...DEFAULT_FORM, name: 'x', source: 'selection', brand: 'Arla' })).toEqual({})
  })

  it('sends the selection only for a selection, domains in the canonical order', () => {
    expect(createBody({ ...DEFAULT_FORM, name: ' Milk ', domains: ['cutout', 'real'], minImages: '5' })).toEqual({
      name: 'Milk',
      description: '',
      source: 'all_products',
      domains: ['real', 'cutout'],
      min_images_per_product: 5,
    })
    expect(createBody({ ...DEFAULT_FORM, name: 'Picked', source: 'selection', productIds: [3, 4], status: 'active' }).selection).toEqual({ product_ids: [3, 4], status: 'active' })
  })
})

describe('stats for the charts', () => {
  it('gives every counted domain a bar, zero included', () => {
    expect(domainBars({ domains: { real: 270, synthetic: 18 } }, ['synthetic', 'real', 'cutout'])).toEqual([
      { domain: 'synthetic', images: 18 },
      { domain: 'real', images: 270 },
      { domain: 'cutout', images: 0 },
    ])
  })

  it('keeps one bar per image count while few, marking those below the minimum', () => {
    const bars = distributionBars([{ images: 12, products: 36 }, { images: 1, products: 2 }, { images: 16, products: 18 }], 5)
    expect(bars.map((b) => [b.label, b.products, b.excluded])).toEqual([
      ['1', 2, true],
      ['12', 36, false],
      ['16', 18, false],
    ])
  })

  it('groups many counts into ranges that never straddle the minimum', () => {
    const distribution = Array.from({ length: 100 }, (_, i) => ({ images: i, products: 1 }))
    const bars = distributionBars(distribution, 5, 10)
    expect(bars.length).toBeLessThanOrEqual(12)
    expect(bars.reduce((n, b) => n + b.products, 0)).toBe(100)
    expect(bars.filter((b) => b.excluded).every((b) => b.to < 5)).toBe(true)
    expect(bars.filter((b) => !b.excluded).every((b) => b.from >= 5)).toBe(true)
  })
})
