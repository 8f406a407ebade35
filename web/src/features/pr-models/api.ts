/** The embedding-model endpoints: register from a checkpoint, list, edit, delete and compare. */
import {
  api,
  API_BASE,
  isRecord,
  type JobEnvelope,
  type PrModel,
  type PrModelComparison,
  type PrModelCreate,
  type PrModelPatch,
} from '@/lib/api'

/** The thumbnail of a product image (evaluation reports and comparisons name product image ids). */
export function productThumbnailUrl(imageId: number): string {
  return `${API_BASE}/pr/images/${imageId}/thumbnail`
}

export const prModelsApi = {
  list: async (signal?: AbortSignal) => {
    const body = await api.get<unknown>('/pr/models', undefined, signal)
    return (Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.items) ? body.items : []) as PrModel[]
  },
  get: (id: number, signal?: AbortSignal) => api.get<PrModel>(`/pr/models/${id}`, undefined, signal),
  /** 201; 409 (field "name") when the name is taken. Without an evaluation of the checkpoint the model is "evaluating". */
  create: (body: PrModelCreate) => api.post<PrModel>('/pr/models', body),
  update: (id: number, body: PrModelPatch) => api.patch<PrModel>(`/pr/models/${id}`, body),
  remove: (id: number) => api.delete(`/pr/models/${id}`),
  /** The test metrics aligned (no model runs). */
  compare: (ids: readonly number[], signal?: AbortSignal) =>
    api.get<PrModelComparison>('/pr/models/compare', { ids: ids.join(',') }, signal),
  /** 202 with the `pr.models.compare` job: the same queries through every model. */
  compareVisual: (ids: readonly number[], queries = 8) => api.post<JobEnvelope>('/pr/models/compare', { model_ids: ids, queries }),
}
