import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, apiRequest, api, buildUrl, CSRF_HEADER, errorMessage, rememberCsrfToken, setUnauthorizedHandler } from './client'

type FetchArgs = [input: string, init: RequestInit]

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

let fetchMock: ReturnType<typeof vi.fn<(...args: FetchArgs) => Promise<Response>>>

function lastHeaders(): Record<string, string> {
  const init = fetchMock.mock.calls.at(-1)?.[1]
  return (init?.headers ?? {}) as Record<string, string>
}

function clearCookies(): void {
  for (const part of document.cookie.split(';')) {
    const name = part.split('=')[0]?.trim()
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  }
}

beforeEach(() => {
  fetchMock = vi.fn<(...args: FetchArgs) => Promise<Response>>()
  vi.stubGlobal('fetch', fetchMock)
  window.history.pushState({}, '', '/od/images?tab=all')
})

afterEach(() => {
  vi.unstubAllGlobals()
  setUnauthorizedHandler(null)
  rememberCsrfToken(null)
  clearCookies()
})

describe('apiRequest errors', () => {
  it('turns the error body into a typed ApiError with the server detail', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(422, {
        error: 'ValidationFailed',
        detail: 'The name is too long.',
        fields: [{ field: 'name', message: 'at most 100 characters' }],
      }),
    )
    const error = await api.post('/auth/tokens', { name: 'x'.repeat(200) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    const apiError = error as ApiError
    expect(apiError.status).toBe(422)
    expect(apiError.error).toBe('ValidationFailed')
    expect(apiError.detail).toBe('The name is too long.')
    expect(apiError.fieldMessage('name')).toBe('at most 100 characters')
    expect(apiError.body?.fields).toHaveLength(1)
    expect(errorMessage(apiError)).toBe('The name is too long.')
  })

  it('keeps a readable message when the body is not the error shape', async () => {
    fetchMock.mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    const error = (await api.get('/od/stats').catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(502)
    expect(error.body).toBeNull()
    expect(error.detail).toContain('502')
  })

  it('reports an unreachable server as status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const error = (await api.get('/od/stats').catch((e: unknown) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(0)
    expect(error.detail).toMatch(/cannot reach/i)
  })

  it('returns undefined for 204 and parsed JSON otherwise', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }))
    await expect(api.post<void>('/auth/logout')).resolves.toBeUndefined()
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { images: 60 }))
    await expect(api.get<{ images: number }>('/od/stats')).resolves.toEqual({ images: 60 })
  })
})

describe('CSRF header', () => {
  it('sends the csrf cookie value on unsafe methods', async () => {
    document.cookie = 'shelfscope_csrf=abc123; path=/'
    fetchMock.mockResolvedValue(jsonResponse(202, { job: { id: 1 } }))
    await api.post('/jobs/1/cancel')
    expect(lastHeaders()[CSRF_HEADER]).toBe('abc123')
    const init = fetchMock.mock.calls.at(-1)?.[1]
    expect(init?.method).toBe('POST')
    expect(init?.credentials).toBe('same-origin')
  })

  it('falls back to the token from the login body when no cookie is readable', async () => {
    rememberCsrfToken('from-body')
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    await api.delete('/auth/tokens/3')
    expect(lastHeaders()[CSRF_HEADER]).toBe('from-body')
  })

  it('does not send it on GET', async () => {
    document.cookie = 'shelfscope_csrf=abc123; path=/'
    fetchMock.mockResolvedValue(jsonResponse(200, { items: [], next_cursor: null, total: 0 }))
    await api.get('/jobs', { limit: 10 })
    expect(lastHeaders()[CSRF_HEADER]).toBeUndefined()
  })
})

describe('401 handling', () => {
  it('calls the unauthorized handler with the current path as next', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValue(jsonResponse(401, { error: 'Unauthorized', detail: 'Sign in first.' }))
    const error = (await api.get('/od/stats').catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(401)
    expect(handler).toHaveBeenCalledWith('/od/images?tab=all')
  })

  it('leaves 401 to the caller when asked (wrong password on the login form)', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValue(jsonResponse(401, { error: 'Unauthorized', detail: 'Wrong username or password.' }))
    await expect(
      api.post('/auth/login', { username: 'a', password: 'b' }, { skipAuthRedirect: true }),
    ).rejects.toMatchObject({ status: 401 })
    expect(handler).not.toHaveBeenCalled()
  })

  it('does not redirect while already on the login page', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    window.history.pushState({}, '', '/login?next=%2Fod')
    fetchMock.mockResolvedValue(jsonResponse(401, { error: 'Unauthorized', detail: 'Sign in first.' }))
    await apiRequest('/od/stats').catch(() => undefined)
    expect(handler).not.toHaveBeenCalled()
  })
})

describe('buildUrl', () => {
  it('drops empty query values and encodes the rest', () => {
    expect(buildUrl('/jobs', { limit: 10, cursor: null, status: undefined, kind: 'storage.verify' })).toBe(
      '/api/v1/jobs?limit=10&kind=storage.verify',
    )
    expect(buildUrl('/auth/setup', { token: 'a b&c' })).toBe('/api/v1/auth/setup?token=a+b%26c')
    expect(buildUrl('/od/stats')).toBe('/api/v1/od/stats')
  })
})
