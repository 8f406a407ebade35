/** Cutouts (`/pr/cutouts`): product crops cut from shelf photos, matched to a product or rejected. */

export type CutoutState = 'unmatched' | 'matched' | 'rejected'
export const CUTOUT_STATES: readonly CutoutState[] = ['unmatched', 'matched', 'rejected']

export interface CutoutBox {
  x1: number
  y1: number
  x2: number
  y2: number
}

export interface Cutout {
  id: number
  image_id: number
  dataset_id: number | null
  annotation_id: number | null
  class_id: number | null
  class_name: string | null
  /** annotations, predictions or manual. */
  source: string
  model: string | null
  confidence: number | null
  /** On the shelf photo, in its pixels. */
  box: CutoutBox
  margin: number
  width: number
  height: number
  state: CutoutState
  product_id: number | null
  product: { id: number; sku: string; name: string } | null
  image: { id: number; width: number; height: number; filename: string; thumbnail_url: string; file_url: string }
  crop_url: string
  created_at: string
  updated_at: string
}

export interface CutoutFilters {
  state?: CutoutState | null
  dataset_id?: number | null
  class_id?: number | null
  product_id?: number | null
  source?: string | null
}

export interface CutoutListParams extends CutoutFilters {
  limit?: number
  cursor?: string | null
}

export type CutoutSource = 'annotations' | 'predictions'

export interface CutoutJobRequest {
  dataset_id: number
  source: CutoutSource
  class_ids?: number[]
  /** A detector key of /ml/models or `trained:<id>` (predictions only). */
  model?: string
  prompts?: string[]
  threshold?: number
  margin?: number
  image_ids?: number[]
}

export interface CutoutJobResult {
  created: number
  existing: number
  images: number
  skipped: unknown[]
}

export interface CutoutPatch {
  state?: CutoutState
  product_id?: number | null
}

export type CutoutBulkAction = 'reject' | 'unmatch' | 'match'

export interface CutoutBulkRequest {
  ids: number[]
  action: CutoutBulkAction
  product_id?: number
}

export interface CutoutBulkResult {
  updated: number
}
