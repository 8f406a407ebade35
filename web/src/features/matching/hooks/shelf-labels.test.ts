import { describe, expect, it } from 'vitest'
import { shelfBox } from '@/test/matching'
import { boxLabel, countKinds } from './shelf-labels'
import { chosenCollection, readMatchParams, writeMatchParams } from './page-params'

const PRODUCT = { id: 3, sku: 'SKU-3', name: 'Milk' }

describe('shelf box labels', () => {
  it('labels a matched box with its SKU, a predicted one with SKU and similarity, the rest without one', () => {
    const matched = shelfBox(1, { state: 'matched', product: PRODUCT, predicted: { product: { id: 4, sku: 'SKU-4', name: 'Juice' }, similarity: 0.9 } })
    const predicted = shelfBox(2, { predicted: { product: PRODUCT, similarity: 0.934 } })
    const rejected = shelfBox(3, { state: 'rejected', predicted: { product: PRODUCT, similarity: 0.5 } })
    const unknown = shelfBox(4)
    expect([matched, predicted, rejected, unknown].map(boxLabel)).toEqual([
      { kind: 'matched', sku: 'SKU-3', text: 'SKU-3' },
      { kind: 'predicted', sku: 'SKU-3', text: 'SKU-3 · 0.934' },
      { kind: 'rejected', sku: null, text: 'rejected' },
      { kind: 'unknown', sku: null, text: '?' },
    ])
    expect(countKinds([matched, predicted, predicted, unknown])).toEqual({ matched: 1, predicted: 2, rejected: 0, unknown: 1 })
  })
})

describe('matching page parameters', () => {
  it('round-trip through the URL, dropping defaults and junk', () => {
    const params = readMatchParams(new URLSearchParams('collection=4&tab=photos&sort=id'))
    expect(params).toEqual({ collectionId: 4, tab: 'photos', sort: 'id' })
    expect(writeMatchParams(params).toString()).toBe('collection=4&tab=photos&sort=id')
    expect(readMatchParams(new URLSearchParams('collection=x&tab=nope&sort=zzz'))).toEqual({ collectionId: null, tab: 'queue', sort: 'similarity' })
    expect(writeMatchParams({ collectionId: null, tab: 'queue', sort: 'similarity' }).toString()).toBe('')
  })

  it('keeps the collection asked for when it exists, else takes the first', () => {
    expect(chosenCollection(4, [2, 4])).toBe(4)
    expect(chosenCollection(9, [2, 4])).toBe(2)
    expect(chosenCollection(null, [])).toBeNull()
  })
})
