/** The one query-key factory. Every TanStack Query key in the app comes from here. */
import type { JobListParams } from './types'

export const queryKeys = {
  all: ['shelfscope'] as const,

  auth: {
    all: () => [...queryKeys.all, 'auth'] as const,
    me: () => [...queryKeys.auth.all(), 'me'] as const,
    setup: (token: string) => [...queryKeys.auth.all(), 'setup', token] as const,
    tokens: () => [...queryKeys.auth.all(), 'tokens'] as const,
  },

  system: {
    health: () => [...queryKeys.all, 'health'] as const,
  },

  od: {
    all: () => [...queryKeys.all, 'od'] as const,
    stats: () => [...queryKeys.od.all(), 'stats'] as const,
  },

  jobs: {
    all: () => [...queryKeys.all, 'jobs'] as const,
    lists: () => [...queryKeys.jobs.all(), 'list'] as const,
    list: (params: Omit<JobListParams, 'cursor'> = {}) =>
      [
        ...queryKeys.jobs.lists(),
        { limit: params.limit ?? null, status: params.status ?? null, kind: params.kind ?? null },
      ] as const,
    details: () => [...queryKeys.jobs.all(), 'detail'] as const,
    detail: (id: number) => [...queryKeys.jobs.details(), id] as const,
    logs: (id: number) => [...queryKeys.jobs.detail(id), 'logs'] as const,
    metrics: (id: number) => [...queryKeys.jobs.detail(id), 'metrics'] as const,
  },
} as const
