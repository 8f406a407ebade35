/** The cutout endpoints: list, one cutout, the job that makes them, edits and bulk actions. */
import {
  api,
  type Cutout,
  type CutoutBulkRequest,
  type CutoutBulkResult,
  type CutoutJobRequest,
  type CutoutListParams,
  type CutoutPatch,
  type JobEnvelope,
  type Page,
} from '@/lib/api'

export const cutoutsApi = {
  list: (params: CutoutListParams = {}, signal?: AbortSignal) =>
    api.get<Page<Cutout>>(
      '/pr/cutouts',
      {
        state: params.state,
        dataset_id: params.dataset_id,
        class_id: params.class_id,
        product_id: params.product_id,
        source: params.source,
        limit: params.limit,
        cursor: params.cursor,
      },
      signal,
    ),
  get: (id: number, signal?: AbortSignal) => api.get<Cutout>(`/pr/cutouts/${id}`, undefined, signal),
  /** 202 with the `pr.cutouts.make` job. */
  make: (body: CutoutJobRequest) => api.post<JobEnvelope>('/pr/cutouts/jobs', body),
  /** Matching adds the crop to the product's gallery (domain cutout); unmatching or rejecting removes it. */
  update: (id: number, body: CutoutPatch) => api.patch<Cutout>(`/pr/cutouts/${id}`, body),
  bulk: (body: CutoutBulkRequest) => api.post<CutoutBulkResult>('/pr/cutouts/bulk', body),
  remove: (id: number) => api.delete(`/pr/cutouts/${id}`),
}
