/** One dataset image's annotations as the editor loads and saves them (`/od/datasets/{id}/images/{id}/...`). */
import type { AnnotationType, DatasetImageStatus } from './datasets'

/** A JSON value stored in an annotation's attributes. */
export type AttributeValue = string | number | boolean | null | readonly AttributeValue[] | { readonly [key: string]: AttributeValue }

export type AnnotationSource = 'manual' | 'ai' | 'import'
export type ReviewState = 'none' | 'pending' | 'accepted' | 'rejected'

export interface ServerAnnotation {
  id: number
  class_id: number
  kind: AnnotationType
  x1: number
  y1: number
  x2: number
  y2: number
  points: number[][] | null
  source: AnnotationSource
  confidence: number | null
  review_state: ReviewState
  /** Free-form per-box attributes (VOC flags, pose, …); absent on boxes drawn here until set. */
  attributes?: Readonly<Record<string, AttributeValue>> | null
  /** The model key of an AI prediction (`source` "ai"); absent or null otherwise. */
  model?: string | null
  /** An AI prediction whose box or class was changed while it was pending (set by the server). */
  review_edited?: boolean
}

export interface ImageAnnotations {
  dataset_id: number
  image: { id: number; filename: string; width: number; height: number; file_url: string; thumbnail_url: string }
  dataset_image: {
    dataset_image_id: number
    status: DatasetImageStatus
    revision: number
    annotation_count: number
    split: string | null
  }
  items: ServerAnnotation[]
}

export interface SaveResponse {
  revision: number
  status: DatasetImageStatus
  annotation_count: number
  id_map: Record<string, number>
}

/** Extra fields of the 409 when the image changed on the server since `base_revision`. */
export interface ConflictBody {
  error: string
  detail: string
  current?: { revision: number; items: ServerAnnotation[] }
}

export interface Neighbors {
  image_id: number
  index: number
  total: number
  prev_image_id: number | null
  next_image_id: number | null
  next_unannotated_image_id: number | null
}

export interface NextImage {
  image_id: number | null
  status: DatasetImageStatus | null
  remaining: number
  total: number
}
