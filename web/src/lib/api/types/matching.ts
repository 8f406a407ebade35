/** Matching (`/pr/matching`): each unmatched cutout's likely products, confirm / reject, bulk accept, shelf views. */
import type { Cutout, CutoutBox, CutoutState } from './cutouts'

/** A product as a shelf box names it. */
export interface MatchProductRef {
  id: number
  sku: string
  name: string
}

/** A product as a candidate names it. */
export interface MatchProduct extends MatchProductRef {
  brand?: string | null
  category?: string | null
}

/** One of a cutout's top-k products (rank 1 is the most similar). */
export interface MatchCandidate {
  rank: number
  similarity: number
  product: MatchProduct
  /** The product's first synthetic image thumbnail, else its first image. */
  packshot_url: string | null
}

export interface MatchQueueItem {
  cutout: Cutout
  candidates: MatchCandidate[]
}

export type MatchQueueSort = 'similarity' | 'id'

export interface MatchQueueParams {
  collection_id: number
  state?: CutoutState
  min_similarity?: number | null
  sort?: MatchQueueSort
  limit?: number
  cursor?: string | null
}

export interface MatchSummary {
  unmatched: number
  with_candidates: number
  matched: number
  rejected: number
}

export interface BulkAcceptPreview {
  count: number
  threshold: number
}

export interface BulkAcceptResult {
  accepted: number
}

export interface ConfirmMatch {
  product_id: number
  collection_id: number | null
}

/** A shelf photo that has cutouts, with how many are matched. */
export interface ShelfImageSummary {
  image_id: number
  filename: string
  width: number
  height: number
  thumbnail_url: string
  cutouts: number
  matched: number
  /** Unmatched cutouts with a candidate in the collection asked about. */
  predicted: number
}

export interface ShelfBox {
  cutout_id: number
  box: CutoutBox
  state: CutoutState
  product: MatchProductRef | null
  predicted: { product: MatchProductRef; similarity: number } | null
}

export interface ShelfImageView {
  image: { id: number; filename: string; width: number; height: number; file_url: string }
  boxes: ShelfBox[]
}

export interface MatchSearchResult {
  collection_id: number
  results: MatchCandidate[]
}
