/** TypeScript shapes of the Shelfscope HTTP API (base /api/v1). */

export type ErrorKind =
  | 'ValidationFailed'
  | 'NotFound'
  | 'Conflict'
  | 'Unauthorized'
  | 'Forbidden'
  | 'PayloadTooLarge'
  | 'UnsupportedMedia'
  | 'RateLimited'
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

// ---- auth -------------------------------------------------------------------

export type Role = 'admin' | 'annotator' | 'viewer'

export interface User {
  id: number
  username: string
  display_name: string | null
  role: Role
  is_active?: boolean
  last_login_at?: string | null
  created_at?: string
}

export interface Session {
  user: User
  csrf_token: string
}

export interface LoginRequest {
  username: string
  password: string
}

export type SetupPurpose = 'first_admin' | 'set_password'

export interface SetupLinkInfo {
  purpose: SetupPurpose
  username: string | null
}

export interface SetupRequest {
  token: string
  username?: string
  password: string
}

export interface ApiToken {
  id: number
  name: string
  prefix: string
  created_at: string
  last_used_at: string | null
  expires_at: string | null
}

export interface CreatedApiToken {
  token: ApiToken
  /** Shown once, never retrievable again. */
  secret: string
}

// ---- system -----------------------------------------------------------------

export interface HealthCheck {
  ok: boolean
  latency_ms?: number
  detail?: string | null
}

export interface Health {
  status: 'ok' | 'degraded'
  version: string
  checks: {
    database: HealthCheck
    storage: HealthCheck & { backend: string }
    jobs: HealthCheck & { runner: string; workers: number }
  }
}

export interface OdStats {
  images: number
  datasets: number
  annotations: number
  classes: number
  models: number
  jobs_running: number
}

// ---- jobs -------------------------------------------------------------------

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled']

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export interface Job {
  id: number
  kind: string
  status: JobStatus
  /** 0..1 */
  progress: number
  stage: string | null
  payload: JsonObject
  result: JsonObject | null
  error: string | null
  attempt: number
  cancel_requested: boolean
  runner: string
  created_at: string
  started_at: string | null
  finished_at: string | null
  heartbeat_at: string | null
  created_by: number | null
}

export interface JobEnvelope {
  job: Job
}

export interface JobListParams {
  limit?: number
  cursor?: string | null
  status?: JobStatus | null
  kind?: string | null
}

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | string

export interface JobLog {
  id: number
  at: string
  level: LogLevel
  message: string
}

export interface JobLogPage {
  items: JobLog[]
  next_cursor: string | null
  total?: number | null
}

export interface JobMetric {
  id: number
  at: string
  name: string
  value: number
  step: number | null
}

export interface JobMetricList {
  items: JobMetric[]
}

/** Result of a `storage.verify` job. */
export interface StorageVerifyResult {
  checked: number
  ok: number
  missing: number
  hash_mismatch: number
  thumbnails_rebuilt: number
}

export function isActiveJob(job: Pick<Job, 'status'>): boolean {
  return job.status === 'queued' || job.status === 'running'
}
