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
