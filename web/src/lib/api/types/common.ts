/** Shapes every endpoint shares: the error body, a cursor page, JSON values. */

export type ErrorKind =
  | 'ValidationFailed'
  | 'NotFound'
  | 'Conflict'
  | 'Unauthorized'
  | 'Forbidden'
  | 'PayloadTooLarge'
  | 'UnsupportedMedia'
  | 'RateLimited'
  | 'Unavailable'
  | 'TimedOut'
  | 'Internal'

export interface FieldError {
  field: string
  message: string
}

/** The one error body every endpoint returns, plus kind-specific extras. */
export interface ErrorBody {
  error: ErrorKind | string
  detail: string
  fields?: FieldError[]
  [extra: string]: unknown
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
  total: number | null
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
