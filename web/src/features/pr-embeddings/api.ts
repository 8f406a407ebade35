/** The embedding endpoints: the models extraction can use, collections and their stats, the extract job. */
import { api, isRecord, type EmbedModel, type EmbeddingCollection, type ExtractRequest, type ExtractStarted } from '@/lib/api'

/** A list endpoint's items, whether it answers `{items: [...]}` or a bare array. */
function itemsOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[]
  if (isRecord(body) && Array.isArray(body.items)) return body.items as T[]
  return []
}

export const embeddingsApi = {
  /** Registered PR models first, then the stock backbones. */
  models: async (signal?: AbortSignal) => itemsOf<EmbedModel>(await api.get<unknown>('/pr/embeddings/models', undefined, signal)),
  collections: async (signal?: AbortSignal) =>
    itemsOf<EmbeddingCollection>(await api.get<unknown>('/pr/embeddings/collections', undefined, signal)),
  collection: (id: number, signal?: AbortSignal) => api.get<EmbeddingCollection>(`/pr/embeddings/collections/${id}`, undefined, signal),
  /** 204; the rows go with it and the index collection is dropped. */
  remove: (id: number) => api.delete(`/pr/embeddings/collections/${id}`),
  /** 202 with the `pr.embeddings.extract` job and the collection (made when new); 422 naming the field, 409 for another model's collection. */
  extract: (body: ExtractRequest) => api.post<ExtractStarted>('/pr/embeddings/extract', body),
}
