/** The embedding-training endpoints: runs, their frozen images, checkpoints and evaluations; the backbones. */
import {
  api,
  apiRequest,
  isRecord,
  type Page,
  type PrBackbone,
  type PrCheckpoint,
  type PrEvaluation,
  type PrEvaluationStarted,
  type PrRunCreate,
  type PrRunEnvelope,
  type PrRunListParams,
  type PrRunResumed,
  type PrSplit,
  type PrTrainingImage,
  type PrTrainingRun,
} from '@/lib/api'

/** A list endpoint's items, whether it answers a bare array or `{items: [...]}`. */
function itemsOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[]
  if (isRecord(body) && Array.isArray(body.items)) return body.items as T[]
  return []
}

export const prTrainingApi = {
  list: (params: PrRunListParams = {}, signal?: AbortSignal) =>
    api.get<Page<PrTrainingRun>>('/pr/training', { status: params.status, limit: params.limit, cursor: params.cursor }, signal),
  get: (id: number, signal?: AbortSignal) => api.get<PrTrainingRun>(`/pr/training/${id}`, undefined, signal),
  /** 202 with the run and its job; 422 naming the field, or `data` with the counts when there is too little. */
  start: (body: PrRunCreate) => api.post<PrRunEnvelope>('/pr/training', body),
  cancel: (id: number) => api.post<PrRunEnvelope>(`/pr/training/${id}/cancel`),
  /** From a checkpoint (null: the latest), optionally with a new total of epochs. */
  resume: (id: number, checkpointId: number | null, epochs: number | null) =>
    api.post<PrRunResumed>(`/pr/training/${id}/resume`, { checkpoint_id: checkpointId, epochs }),
  /** 204; 409 when live, or with `model_ids` when models came from it and `force` is not set. */
  remove: (id: number, force = false) =>
    apiRequest<void>(`/pr/training/${id}`, { method: 'DELETE', query: { force: force ? true : undefined } }),
  images: (id: number, split: PrSplit | null, cursor: string | null, signal?: AbortSignal) =>
    api.get<Page<PrTrainingImage>>(`/pr/training/${id}/images`, { split, limit: 60, cursor }, signal),
  checkpoints: async (id: number, signal?: AbortSignal) =>
    itemsOf<PrCheckpoint>(await api.get<unknown>(`/pr/training/${id}/checkpoints`, undefined, signal)),
  /** 204; 409 with `model_ids` when a registered model links it and `force` is not set. */
  removeCheckpoint: (id: number, checkpointId: number, force = false) =>
    apiRequest<void>(`/pr/training/${id}/checkpoints/${checkpointId}`, {
      method: 'DELETE',
      query: { force: force ? true : undefined },
    }),
  /** 202 with the evaluation row and its job. */
  evaluate: (id: number, checkpointId: number) =>
    api.post<PrEvaluationStarted>(`/pr/training/${id}/checkpoints/${checkpointId}/evaluate`),
  /** The run's newest succeeded evaluation; 404 when there is none yet. */
  evaluation: (id: number, signal?: AbortSignal) => api.get<PrEvaluation>(`/pr/training/${id}/evaluation`, undefined, signal),
  backbones: async (signal?: AbortSignal) => itemsOf<PrBackbone>(await api.get<unknown>('/pr/training/backbones', undefined, signal)),
}
