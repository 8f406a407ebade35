/** The jobs endpoints: list, detail, cancel, logs, metrics and the live event stream. */
import { api, buildUrl, type Job, type JobEnvelope, type JobListParams, type JobLogPage, type JobMetricList, type Page } from '@/lib/api'

export const jobsApi = {
  list: (params: JobListParams = {}, signal?: AbortSignal) =>
    api.get<Page<Job>>(
      '/jobs',
      {
        limit: params.limit,
        cursor: params.cursor,
        status: params.status,
        kind: params.kind,
        queue: params.queue,
        include_interactive: params.include_interactive,
      },
      signal,
    ),
  get: (id: number, signal?: AbortSignal) => api.get<Job>(`/jobs/${id}`, undefined, signal),
  cancel: (id: number) => api.post<JobEnvelope>(`/jobs/${id}/cancel`),
  logs: (id: number, params: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    api.get<JobLogPage>(`/jobs/${id}/logs`, { limit: params.limit, cursor: params.cursor }, signal),
  metrics: (id: number, signal?: AbortSignal) => api.get<JobMetricList>(`/jobs/${id}/metrics`, undefined, signal),
  streamUrl: (id: number) => buildUrl(`/jobs/${id}/stream`),
}
