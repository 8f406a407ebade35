/** The matching endpoints: the queue of one collection, confirm / reject, bulk accept, predictions, shelf views, product search. */
import { productsApi } from '@/features/products'
import {
  api,
  type BulkAcceptPreview,
  type BulkAcceptResult,
  type ConfirmMatch,
  type Cutout,
  type JobEnvelope,
  type MatchQueueItem,
  type MatchQueueParams,
  type MatchSummary,
  type Page,
  type ShelfImageSummary,
  type ShelfImageView,
} from '@/lib/api'

export const matchingApi = {
  queue: (params: MatchQueueParams, signal?: AbortSignal) =>
    api.get<Page<MatchQueueItem>>(
      '/pr/matching/queue',
      {
        collection_id: params.collection_id,
        state: params.state ?? 'unmatched',
        min_similarity: params.min_similarity,
        sort: params.sort,
        limit: params.limit,
        cursor: params.cursor,
      },
      signal,
    ),
  summary: (collectionId: number, signal?: AbortSignal) =>
    api.get<MatchSummary>('/pr/matching/summary', { collection_id: collectionId }, signal),
  /** The crop becomes a `cutout`-domain image of the product; 409 naming `cutout_id` when it was deleted meanwhile. */
  confirm: (cutoutId: number, body: ConfirmMatch) => api.post<Cutout>(`/pr/matching/${cutoutId}/confirm`, body),
  reject: (cutoutId: number) => api.post<Cutout>(`/pr/matching/${cutoutId}/reject`),
  bulkPreview: (collectionId: number, threshold: number, signal?: AbortSignal) =>
    api.get<BulkAcceptPreview>('/pr/matching/bulk-accept/preview', { collection_id: collectionId, threshold }, signal),
  /** Every unmatched cutout whose best candidate is at or above the threshold, in one transaction. */
  bulkAccept: (collectionId: number, threshold: number) =>
    api.post<BulkAcceptResult>('/pr/matching/bulk-accept', { collection_id: collectionId, threshold }),
  /** 202 with the `pr.matching.predict` job: candidates for the collection's unmatched cutouts. */
  predict: (collectionId: number) => api.post<JobEnvelope>('/pr/matching/predict', { collection_id: collectionId }),
  images: (collectionId: number | null, cursor: string | null, signal?: AbortSignal) =>
    api.get<Page<ShelfImageSummary>>('/pr/matching/images', { collection_id: collectionId, limit: 48, cursor }, signal),
  image: (imageId: number, collectionId: number | null, signal?: AbortSignal) =>
    api.get<ShelfImageView>(`/pr/matching/images/${imageId}`, { collection_id: collectionId }, signal),
  /** Products by SKU, name, barcode or brand, to pick one that is not among the candidates. */
  searchProducts: async (q: string, signal?: AbortSignal) => (await productsApi.list({ q, limit: 8 }, signal)).items,
}
