/** The training endpoints: runs, their metrics, the architectures, the estimate and trainer environments. */
import {
  api,
  apiRequest,
  isRecord,
  type Architecture,
  type EstimateParams,
  type JobEnvelope,
  type Page,
  type TrainerEnv,
  type TrainingEstimate,
  type TrainingListParams,
  type TrainingMetrics,
  type TrainingRun,
  type TrainingRunCreate,
  type TrainingRunStarted,
} from '@/lib/api'

/** A list endpoint's items, whether it answers a bare array or `{items: [...]}`. */
export function itemsOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[]
  if (isRecord(body) && Array.isArray(body.items)) return body.items as T[]
  return []
}

export const trainingApi = {
  list: (params: TrainingListParams = {}, signal?: AbortSignal) =>
    api.get<Page<TrainingRun>>(
      '/od/training',
      { status: params.status, dataset_id: params.dataset_id, limit: params.limit, cursor: params.cursor },
      signal,
    ),
  get: (id: number, signal?: AbortSignal) => api.get<TrainingRun>(`/od/training/${id}`, undefined, signal),
  /** 202 with the run and its job. */
  start: (body: TrainingRunCreate) => api.post<TrainingRunStarted>('/od/training', body),
  /** A live run: 202, cancel requested. A finished one: 204, its files removed (409 with `model_id` unless forced). */
  remove: (id: number, force = false) =>
    apiRequest<{ run: TrainingRun } | undefined>(`/od/training/${id}`, {
      method: 'DELETE',
      query: { force: force ? true : undefined },
    }),
  metrics: (id: number, signal?: AbortSignal) => api.get<TrainingMetrics>(`/od/training/${id}/metrics`, undefined, signal),
  architectures: async (signal?: AbortSignal) =>
    itemsOf<Architecture>(await api.get<unknown>('/od/training/architectures', undefined, signal)),
  estimate: (params: EstimateParams, signal?: AbortSignal) =>
    api.get<TrainingEstimate>('/od/training/estimate', { ...params }, signal),
  trainers: async (signal?: AbortSignal) => itemsOf<TrainerEnv>(await api.get<unknown>('/od/trainers', undefined, signal)),
  /** 202 with the install job. */
  installTrainer: (family: string) => api.post<JobEnvelope>(`/od/trainers/${family}/install`),
}
