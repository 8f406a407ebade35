import { describe, expect, it } from 'vitest'
import { queryKeys } from './keys'

function startsWith(key: readonly unknown[], prefix: readonly unknown[]): boolean {
  return prefix.every((part, i) => JSON.stringify(key[i]) === JSON.stringify(part))
}

describe('queryKeys', () => {
  it('roots every key under one namespace', () => {
    for (const key of [
      queryKeys.auth.me(),
      queryKeys.auth.tokens(),
      queryKeys.od.stats(),
      queryKeys.system.health(),
      queryKeys.jobs.detail(4),
      queryKeys.jobs.list({ limit: 10 }),
    ]) {
      expect(key[0]).toBe('shelfscope')
    }
  })

  it('nests job lists under lists() so one invalidation refreshes them all', () => {
    expect(startsWith(queryKeys.jobs.list({ limit: 10 }), queryKeys.jobs.lists())).toBe(true)
    expect(startsWith(queryKeys.jobs.list({ status: 'running' }), queryKeys.jobs.lists())).toBe(true)
    expect(startsWith(queryKeys.jobs.detail(1), queryKeys.jobs.lists())).toBe(false)
  })

  it('nests logs and metrics under their job so invalidating the job refreshes them', () => {
    expect(startsWith(queryKeys.jobs.logs(7), queryKeys.jobs.detail(7))).toBe(true)
    expect(startsWith(queryKeys.jobs.metrics(7), queryKeys.jobs.detail(7))).toBe(true)
    expect(startsWith(queryKeys.jobs.logs(7), queryKeys.jobs.detail(8))).toBe(false)
  })

  it('normalises list parameters so equal filters share a cache entry', () => {
    expect(queryKeys.jobs.list({ limit: 10 })).toEqual(queryKeys.jobs.list({ limit: 10, status: null, kind: undefined }))
    expect(queryKeys.jobs.list({ status: 'failed' })).not.toEqual(queryKeys.jobs.list({ status: 'running' }))
  })
})

describe('queryKeys for the library, classes and datasets', () => {
  it('share a cache entry for equal filters whatever the cursor or empty values', () => {
    expect(queryKeys.images.list({ q: 'shelf', tags: [], folder: null, cursor: 'abc' })).toEqual(
      queryKeys.images.list({ q: 'shelf' }),
    )
    expect(queryKeys.images.list({ q: 'a', sort: 'filename' })).toEqual(queryKeys.images.list({ sort: 'filename', q: 'a' }))
    expect(queryKeys.images.list({ q: 'a' })).not.toEqual(queryKeys.images.list({ q: 'b' }))
  })

  it('nest under od so one invalidation after an upload or merge refreshes every view', () => {
    expect(startsWith(queryKeys.images.list({ q: 'x' }), queryKeys.images.lists())).toBe(true)
    expect(startsWith(queryKeys.datasets.stats(3), queryKeys.datasets.detail(3))).toBe(true)
    expect(startsWith(queryKeys.datasets.images(3, { split: 'train' }), queryKeys.datasets.detail(3))).toBe(true)
    expect(startsWith(queryKeys.classes.history(2), queryKeys.classes.all())).toBe(true)
    for (const key of [queryKeys.images.all(), queryKeys.classes.all(), queryKeys.datasets.all()]) {
      expect(startsWith(key, queryKeys.od.all())).toBe(true)
    }
  })

  it('key a merge preview by the set of sources, not their order', () => {
    expect(queryKeys.classes.mergePreview([3, 1], 5)).toEqual(queryKeys.classes.mergePreview([1, 3], 5))
  })
})

describe('queryKeys for the annotation queue and editor', () => {
  it('nest under annotate (and od) so marking an image refreshes the queue, neighbours and next image', () => {
    for (const key of [
      queryKeys.annotate.image(1, 2),
      queryKeys.annotate.neighbors(1, 2),
      queryKeys.annotate.next(1),
      queryKeys.annotate.classes(),
      queryKeys.annotate.datasets(),
    ]) {
      expect(startsWith(key, queryKeys.annotate.all())).toBe(true)
    }
    expect(startsWith(queryKeys.annotate.all(), queryKeys.od.all())).toBe(true)
    expect(queryKeys.annotate.image(1, 2)).not.toEqual(queryKeys.annotate.image(1, 3))
  })

  it('nests product images and videos under their product, and every PR key under pr', () => {
    expect(startsWith(queryKeys.products.images(3, { domain: 'real' }), queryKeys.products.detail(3))).toBe(true)
    expect(startsWith(queryKeys.products.videos(3), queryKeys.products.detail(3))).toBe(true)
    expect(startsWith(queryKeys.products.list({ q: 'milk' }), queryKeys.products.lists())).toBe(true)
    expect(queryKeys.products.list({ q: 'milk', cursor: 'x' })).toEqual(queryKeys.products.list({ q: 'milk' }))
    for (const key of [queryKeys.products.all(), queryKeys.cutouts.all(), queryKeys.prDatasets.stats(2)]) {
      expect(startsWith(key, queryKeys.pr.all())).toBe(true)
    }
    expect(startsWith(queryKeys.prDatasets.versions(2), queryKeys.prDatasets.detail(2))).toBe(true)
  })
})
