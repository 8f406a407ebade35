import { describe, expect, it } from 'vitest'
import { boxPercent, cutoutJobResultOf, DEFAULT_MAKE_FORM, makeFormErrors, makeRequest, readCutoutFilters, toggleSelection, writeCutoutFilters } from './logic'

describe('cutout filters in the URL', () => {
  it('round-trips state, dataset, class and product, and drops bad values', () => {
    const filters = readCutoutFilters(new URLSearchParams('state=rejected&dataset=3&class=9&product=12'))
    expect(filters).toEqual({ state: 'rejected', dataset_id: 3, class_id: 9, product_id: 12 })
    expect(readCutoutFilters(writeCutoutFilters(filters))).toEqual(filters)
    expect(readCutoutFilters(new URLSearchParams('state=lost&dataset=x'))).toEqual({ state: null, dataset_id: null, class_id: null, product_id: null })
  })
})

describe('the box on the shelf photo', () => {
  it('is placed in percent of the photo', () => {
    expect(boxPercent({ x1: 100, y1: 50, x2: 300, y2: 150 }, 1000, 500)).toEqual({ left: 10, top: 10, width: 20, height: 20 })
  })

  it('is clamped to the photo and ordered', () => {
    expect(boxPercent({ x1: 1200, y1: -10, x2: 900, y2: 100 }, 1000, 500)).toEqual({ left: 90, top: 0, width: 10, height: 20 })
  })
})

describe('make-cutouts form', () => {
  it('needs a dataset, and a detector and threshold for predictions', () => {
    expect(makeFormErrors(DEFAULT_MAKE_FORM)).toEqual({ dataset_id: 'Choose a dataset.' })
    expect(makeFormErrors({ ...DEFAULT_MAKE_FORM, datasetId: 1, source: 'predictions', threshold: '2' })).toEqual({ model: 'Choose a detector.', threshold: 'A number from 0 to 1.' })
    expect(makeFormErrors({ ...DEFAULT_MAKE_FORM, datasetId: 1, margin: '' })).toEqual({ margin: 'A number from 0 to 1.' })
  })

  it('sends annotations without model fields, predictions with them', () => {
    expect(makeRequest({ ...DEFAULT_MAKE_FORM, datasetId: 4, classIds: [2, 5] })).toEqual({ dataset_id: 4, source: 'annotations', margin: 0.05, class_ids: [2, 5] })
    expect(makeRequest({ ...DEFAULT_MAKE_FORM, datasetId: 4, source: 'predictions', model: 'trained:3', threshold: '0.5', prompts: 'bottle, , can' })).toEqual({
      dataset_id: 4,
      source: 'predictions',
      margin: 0.05,
      model: 'trained:3',
      threshold: 0.5,
      prompts: ['bottle', 'can'],
    })
  })

  it('reads the job result', () => {
    expect(cutoutJobResultOf({ result: { created: 12, existing: 3, images: 5, skipped: [] } })).toEqual({ created: 12, existing: 3, images: 5, skipped: [] })
    expect(cutoutJobResultOf({ result: null })).toBeNull()
  })
})

describe('selection', () => {
  const order = [10, 11, 12, 13]
  it('toggles one, or a shift-range from the anchor', () => {
    expect([...toggleSelection(new Set(), 11, order, null, false)]).toEqual([11])
    expect([...toggleSelection(new Set([11]), 11, order, 11, false)]).toEqual([])
    expect([...toggleSelection(new Set([10]), 13, order, 11, true)].sort()).toEqual([10, 11, 12, 13])
  })
})
