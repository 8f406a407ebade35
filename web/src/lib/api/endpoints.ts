/** Typed functions for each API endpoint; features call these through TanStack Query. */
import { api, apiRequest } from './client'
import type {
  ApiToken,
  CreatedApiToken,
  Health,
  Job,
  JobEnvelope,
  JobListParams,
  JobLogPage,
  JobMetricList,
  LoginRequest,
  OdStats,
  Page,
  Session,
  SetupLinkInfo,
  SetupRequest,
} from './types'

export const authApi = {
  /** The signed-in person; 401 is left to the caller (no redirect). */
  me: (signal?: AbortSignal) => apiRequest<Session>('/auth/me', { signal, skipAuthRedirect: true }),
  login: (body: LoginRequest) => api.post<Session>('/auth/login', body, { skipAuthRedirect: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { skipAuthRedirect: true }),
  setupInfo: (token: string, signal?: AbortSignal) =>
    apiRequest<SetupLinkInfo>('/auth/setup', { query: { token }, signal, skipAuthRedirect: true }),
  setup: (body: SetupRequest) => api.post<Session>('/auth/setup', body, { skipAuthRedirect: true }),
  listTokens: (signal?: AbortSignal) => api.get<{ items: ApiToken[] }>('/auth/tokens', undefined, signal),
  createToken: (name: string) => api.post<CreatedApiToken>('/auth/tokens', { name }),
  revokeToken: (id: number) => api.delete(`/auth/tokens/${id}`),
}

export const systemApi = {
  health: (signal?: AbortSignal) => api.get<Health>('/od/health', undefined, signal),
}

export const odApi = {
  stats: (signal?: AbortSignal) => api.get<OdStats>('/od/stats', undefined, signal),
  verifyStorage: () => api.post<JobEnvelope>('/od/images/verify'),
}

export const jobsApi = {
  list: (params: JobListParams = {}, signal?: AbortSignal) =>
    api.get<Page<Job>>(
      '/jobs',
      { limit: params.limit, cursor: params.cursor, status: params.status, kind: params.kind },
      signal,
    ),
  get: (id: number, signal?: AbortSignal) => api.get<Job>(`/jobs/${id}`, undefined, signal),
  cancel: (id: number) => api.post<JobEnvelope>(`/jobs/${id}/cancel`),
  logs: (id: number, params: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    api.get<JobLogPage>(`/jobs/${id}/logs`, { limit: params.limit, cursor: params.cursor }, signal),
  metrics: (id: number, signal?: AbortSignal) => api.get<JobMetricList>(`/jobs/${id}/metrics`, undefined, signal),
  streamUrl: (id: number) => `/api/v1/jobs/${id}/stream`,
}
