/** Background jobs, their logs and metrics (`/jobs`). */
import type { JsonObject } from './common'

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled']

/** Which workers run a job: imports and exports, ML batches, or one request a person waits on. */
export type JobQueue = 'default' | 'ml' | 'interactive'

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
  queue: JobQueue
  created_at: string
  started_at: string | null
  finished_at: string | null
  heartbeat_at: string | null
  created_by: number | null
  /** The file and/or dataset the job works on ("shelves.zip → Shelves"), if any. */
  label?: string | null
}

export interface JobEnvelope {
  job: Job
}

export interface JobListParams {
  limit?: number
  cursor?: string | null
  status?: JobStatus | null
  kind?: string | null
  queue?: JobQueue | null
  /** false: leave out the interactive queue's jobs (one per SAM click), unless `queue` names it. */
  include_interactive?: boolean
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

export function isActiveJob(job: Pick<Job, 'status'>): boolean {
  return job.status === 'queued' || job.status === 'running'
}
