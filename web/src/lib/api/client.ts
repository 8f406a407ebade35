/**
 * The one HTTP client for the Shelfscope API: JSON in and out, CSRF header on unsafe
 * requests, typed errors, and the single place that reacts to 401 responses.
 */
import type { ErrorBody, Page } from './types'

export const API_BASE = '/api/v1'
export const CSRF_COOKIE = 'shelfscope_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'

/** An error response from the API, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly error: string
  readonly detail: string
  readonly body: ErrorBody | null

  constructor(status: number, body: ErrorBody | null, fallbackDetail?: string) {
    const detail = body?.detail ?? fallbackDetail ?? `Request failed with status ${status}`
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.error = body?.error ?? (status === 0 ? 'NetworkError' : 'Internal')
    this.detail = detail
    this.body = body
  }

  /** The message for a field, when the server rejected one (422 ValidationFailed). */
  fieldMessage(field: string): string | undefined {
    return this.body?.fields?.find((f) => f.field === field)?.message
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError
}

/** A sentence for a toast, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.detail
  if (error instanceof Error) return error.message
  return 'Something went wrong.'
}

// ---- CSRF --------------------------------------------------------------------

let csrfFromResponse: string | null = null

/** Remember the token the server returned in a login/me body (fallback when the cookie is unreadable). */
export function rememberCsrfToken(token: string | null): void {
  csrfFromResponse = token
}

export function readCookie(name: string, cookieString: string = document.cookie): string | null {
  for (const part of cookieString.split(';')) {
    const [rawKey, ...rest] = part.trim().split('=')
    if (rawKey === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

export function csrfToken(): string | null {
  return readCookie(CSRF_COOKIE) ?? csrfFromResponse
}

// ---- 401 handling ------------------------------------------------------------

export type UnauthorizedHandler = (nextPath: string) => void

/** Paths where a 401 is an answer to show, not a reason to leave the page. */
const PUBLIC_PATHS = ['/login', '/setup']

export function loginUrl(nextPath: string): string {
  return `/login?next=${encodeURIComponent(nextPath)}`
}

const defaultUnauthorizedHandler: UnauthorizedHandler = (nextPath) => {
  window.location.assign(loginUrl(nextPath))
}

let unauthorizedHandler: UnauthorizedHandler = defaultUnauthorizedHandler

/** Replace what happens on a 401 (the app wires router navigation here; tests a spy). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler ?? defaultUnauthorizedHandler
}

/** Send the person to the login page (unless already on a public page); exported for XHR uploads. */
export function handleUnauthorized(): void {
  const { pathname, search } = window.location
  if (PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return
  unauthorizedHandler(`${pathname}${search}`)
}

// ---- requests ----------------------------------------------------------------

/** The message of a request that never reached the server (status 0). */
export const UNREACHABLE = 'Cannot reach the Shelfscope server. Check that it is running.'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  query?: Record<string, QueryValue>
  body?: unknown
  signal?: AbortSignal
  /** Let the caller handle 401 itself (login form, session probe). */
  skipAuthRedirect?: boolean
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const url = `${API_BASE}${path}`
  if (!query) return url
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${url}?${qs}` : url
}

/** The body as the error shape, or null when it is something else. */
export function errorBodyOf(value: unknown): ErrorBody | null {
  if (typeof value !== 'object' || value === null) return null
  const record = value as Record<string, unknown>
  return typeof record.error === 'string' && typeof record.detail === 'string' ? (value as ErrorBody) : null
}

async function parseError(response: Response): Promise<ApiError> {
  let body: ErrorBody | null = null
  let fallback: string | undefined
  const text = await response.text().catch(() => '')
  if (text) {
    try {
      const parsed: unknown = JSON.parse(text)
      body = errorBodyOf(parsed)
      if (body === null && typeof parsed === 'object' && parsed !== null && 'detail' in parsed) {
        // FastAPI's own shape ({detail: ...}) if something slips past the error handlers.
        const detail = (parsed as { detail: unknown }).detail
        fallback = typeof detail === 'string' ? detail : undefined
      }
    } catch {
      fallback = undefined
    }
  }
  return new ApiError(response.status, body, fallback ?? `${response.status} ${response.statusText}`.trim())
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = { Accept: 'application/json' }
  let body: BodyInit | undefined
  if (options.body !== undefined) {
    if (options.body instanceof FormData) {
      body = options.body
    } else {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.body)
    }
  }
  if (!SAFE_METHODS.has(method)) {
    const token = csrfToken()
    if (token) headers[CSRF_HEADER] = token
  }

  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw new ApiError(0, null, UNREACHABLE)
  }

  if (!response.ok) {
    const error = await parseError(response)
    if (response.status === 401 && !options.skipAuthRedirect) handleUnauthorized()
    throw error
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) =>
    apiRequest<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
    apiRequest<T>(path, { ...options, method: 'POST', body }),
  patch: <T>(path: string, body?: unknown) => apiRequest<T>(path, { method: 'PATCH', body }),
  put: <T>(path: string, body?: unknown) => apiRequest<T>(path, { method: 'PUT', body }),
  delete: <T = void>(path: string) => apiRequest<T>(path, { method: 'DELETE' }),
}

/** Every item of a cursor-paged list, fetching page after page (small lists: classes, datasets). */
export async function allPages<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = []
  let cursor: string | null = null
  do {
    const page: Page<T> = await fetchPage(cursor)
    items.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return items
}
