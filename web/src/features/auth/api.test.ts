import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setUnauthorizedHandler } from '@/lib/api'
import { authApi } from './api'

let fetchMock: ReturnType<typeof vi.fn<(input: string, init: RequestInit) => Promise<Response>>>

beforeEach(() => {
  fetchMock = vi.fn<(input: string, init: RequestInit) => Promise<Response>>()
  vi.stubGlobal('fetch', fetchMock)
  window.history.pushState({}, '', '/od/images?tab=all')
})

afterEach(() => {
  vi.unstubAllGlobals()
  setUnauthorizedHandler(null)
})

describe('authApi', () => {
  it('leaves a 401 on login, logout and the session probe to the caller (no redirect)', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    const unauthorized = () =>
      new Response(JSON.stringify({ error: 'Unauthorized', detail: 'Wrong username or password.' }), { status: 401 })
    fetchMock.mockImplementation(() => Promise.resolve(unauthorized()))
    await expect(authApi.login({ username: 'a', password: 'b' })).rejects.toMatchObject({ status: 401 })
    await expect(authApi.logout()).rejects.toMatchObject({ status: 401 })
    await expect(authApi.me()).rejects.toMatchObject({ status: 401 })
    expect(handler).not.toHaveBeenCalled()
  })

  it('returns undefined for a 204 logout', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    await expect(authApi.logout()).resolves.toBeUndefined()
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/v1/auth/logout')
  })
})
