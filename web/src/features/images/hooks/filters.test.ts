import { describe, expect, it } from 'vitest'
import { activeFilterCount, parseTags, readLibraryState, writeLibraryState } from './filters'

describe('library URL state', () => {
  it('round-trips filters, sort and view through the query string', () => {
    const params = new URLSearchParams(
      'q=shelf&source=upload&folder=stores%2Fberlin&subfolders=1&tags=promo,aisle%203&dataset=4&annotated=no&sort=filename&order=asc&view=table&limit=96',
    )
    const state = readLibraryState(params)
    expect(state.filters).toEqual({
      q: 'shelf',
      source: 'upload',
      folder: 'stores/berlin',
      folder_prefix: true,
      tags: ['promo', 'aisle 3'],
      dataset_id: 4,
      not_in_dataset_id: null,
      has_annotations: false,
    })
    expect(state).toMatchObject({ sort: 'filename', order: 'asc', view: 'table', limit: 96 })
    expect(readLibraryState(writeLibraryState(state))).toEqual(state)
  })

  it('falls back to the defaults for values the API would refuse', () => {
    const state = readLibraryState(new URLSearchParams('source=ftp&sort=colour&dataset=-2&limit=7&annotated=maybe'))
    expect(state.filters.source).toBeNull()
    expect(state.filters.dataset_id).toBeNull()
    expect(state.filters.has_annotations).toBeNull()
    expect(state).toMatchObject({ sort: 'created_at', order: 'desc', view: 'grid', limit: 48 })
    expect(writeLibraryState(state).toString()).toBe('')
  })

  it('normalises tags like the server: trimmed, lower-cased, unique', () => {
    expect(parseTags(' Promo, aisle   3,,promo ')).toEqual(['promo', 'aisle 3'])
    expect(parseTags('')).toEqual([])
  })

  it('counts each tag as its own filter', () => {
    expect(activeFilterCount({ tags: ['a', 'b'], q: 'x', has_annotations: false })).toBe(4)
    expect(activeFilterCount({})).toBe(0)
  })
})
