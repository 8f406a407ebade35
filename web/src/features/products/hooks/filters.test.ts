import { describe, expect, it } from 'vitest'
import { activeProductFilterCount, readProductListState, writeProductListState } from './filters'

describe('product list URL state', () => {
  it('round-trips filters and sort through the query string', () => {
    const params = new URLSearchParams('q=milk&brand=Arla&category=Milk&status=draft&has=real&missing=cutout&below=5&sort=name&order=desc')
    const state = readProductListState(params)
    expect(state).toEqual({
      filters: { q: 'milk', brand: 'Arla', category: 'Milk', status: 'draft', has_domain: 'real', missing_domain: 'cutout', min_images_below: 5 },
      sort: 'name',
      order: 'desc',
    })
    expect(readProductListState(writeProductListState(state))).toEqual(state)
  })

  it('falls back to newest first and drops values the API would refuse', () => {
    const state = readProductListState(new URLSearchParams('status=gone&has=paint&below=-1&sort=colour'))
    expect(state.filters).toMatchObject({ status: null, has_domain: null, min_images_below: null })
    expect(state).toMatchObject({ sort: 'created_at', order: 'desc' })
    expect(writeProductListState(state).toString()).toBe('')
  })

  it('leaves the default order out of the URL for each sort', () => {
    expect(writeProductListState({ filters: {}, sort: 'name', order: 'asc' }).toString()).toBe('sort=name')
    expect(writeProductListState({ filters: {}, sort: 'image_count', order: 'desc' }).toString()).toBe('sort=image_count')
  })

  it('counts the filters in use', () => {
    expect(activeProductFilterCount({ brand: 'x', q: '', missing_domain: 'real' })).toBe(2)
  })
})
