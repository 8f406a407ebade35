/** Embedding collections (`/pr/embeddings`): which model embeds what, extraction jobs and their stats. */
import type { Job } from './jobs'
import type { ProductDomain } from './products'

export type EmbedModelKind = 'trained' | 'stock'

/** A model extraction can use: a registered PR model, or a stock backbone's pooled output. */
export interface EmbedModel {
  kind: EmbedModelKind
  trained_model_id: number | null
  backbone: string
  name: string
  dim: number
  installed: boolean
  test_metrics: Record<string, number> | null
  /** The collection this model already fills, if any. */
  collection_id: number | null
}

export type EmbedItemKind = 'product_image' | 'cutout'

export interface EmbeddingCollection {
  id: number
  name: string
  model_kind: EmbedModelKind
  trained_model_id: number | null
  model_name: string
  backbone: string
  dim: number
  metric: string
  vector_count: number
  by_kind: Partial<Record<EmbedItemKind, number>>
  by_domain: Partial<Record<ProductDomain, number>>
  size_bytes: number
  last_job_id: number | null
  created_at: string
  updated_at: string
}

export type EmbedModelRef = { kind: 'trained'; trained_model_id: number } | { kind: 'stock'; backbone: string }

export type EmbedSource = 'product_images' | 'cutouts'
export const EMBED_SOURCES: readonly EmbedSource[] = ['product_images', 'cutouts']

export interface ExtractRequest {
  model: EmbedModelRef
  /** null: the model's default collection (`model-<id>` or `stock-<backbone>`). */
  collection: string | null
  sources: EmbedSource[]
  /** null: every domain. */
  domains: ProductDomain[] | null
  batch_size: number
}

export interface ExtractStarted {
  job: Job
  collection: EmbeddingCollection
}

/** What a finished `pr.embeddings.extract` job reports. */
export interface ExtractResult {
  embedded: number
  unchanged: number
  removed: number
  skipped: unknown[]
  candidates: number
}
