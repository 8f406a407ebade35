/** The product-recognition dataset endpoints: datasets, their stats, and frozen versions. */
import {
  api,
  type Page,
  type PrDataset,
  type PrDatasetCreate,
  type PrDatasetListParams,
  type PrDatasetPatch,
  type PrDatasetStats,
  type PrVersion,
} from '@/lib/api'

export const prDatasetsApi = {
  list: (params: PrDatasetListParams = {}, signal?: AbortSignal) =>
    api.get<Page<PrDataset>>('/pr/datasets', { q: params.q, limit: params.limit, cursor: params.cursor }, signal),
  get: (id: number, signal?: AbortSignal) => api.get<PrDataset>(`/pr/datasets/${id}`, undefined, signal),
  /** 409 (field "name") when the name is taken, in any case. */
  create: (body: PrDatasetCreate) => api.post<PrDataset>('/pr/datasets', body),
  update: (id: number, body: PrDatasetPatch) => api.patch<PrDataset>(`/pr/datasets/${id}`, body),
  remove: (id: number) => api.delete(`/pr/datasets/${id}`),
  stats: (id: number, signal?: AbortSignal) => api.get<PrDatasetStats>(`/pr/datasets/${id}/stats`, undefined, signal),
  versions: (id: number, signal?: AbortSignal) => api.get<{ items: PrVersion[] }>(`/pr/datasets/${id}/versions`, undefined, signal),
  /** Freezes the product and image lists in one transaction. */
  freeze: (id: number, name: string | null) => api.post<PrVersion>(`/pr/datasets/${id}/versions`, name ? { name } : {}),
  removeVersion: (id: number, versionId: number) => api.delete(`/pr/datasets/${id}/versions/${versionId}`),
}
