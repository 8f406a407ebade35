import type { Job } from '@/lib/api'

/** A job as the API returns it: queued, no result; tests override what they need. */
export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 7,
    kind: 'od.images.verify',
    status: 'queued',
    progress: 0,
    stage: null,
    payload: {},
    result: null,
    error: null,
    attempt: 1,
    cancel_requested: false,
    runner: 'local',
    queue: 'default',
    created_at: '2025-01-01T00:00:00Z',
    started_at: null,
    finished_at: null,
    heartbeat_at: null,
    created_by: 1,
    ...overrides,
  }
}
