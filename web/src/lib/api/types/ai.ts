/** AI auto-annotation: batch and one-image detection, SAM, review (`/od/ai`); the models are in ml.ts. */
import type { Job } from './jobs'
import type { ServerAnnotation } from './annotations'

export type AnnotateScope = 'all' | 'unannotated' | 'selected'

/** A prompt text and the class its boxes get (null: the class whose name or alias matches). */
export interface AiPrompt {
  text: string
  class_id: number | null
}

export interface AnnotateRequest {
  dataset_id: number
  images: { scope: AnnotateScope; image_ids?: number[] }
  model: string
  prompts: AiPrompt[]
  /** Labels an open-vocabulary model names itself: dropped, or sent to this class. */
  unknown_labels: 'drop' | number
  threshold: number
  max_boxes_per_image: number
  nms_iou: number
}

export interface AnnotateClassCount {
  class_id: number
  name: string
  count: number
}

export interface AnnotateStatus {
  job: Job
  images_done: number
  images_total: number
  counts: AnnotateClassCount[]
}

export interface DetectRequest {
  dataset_id: number
  image_id: number
  model: string
  prompts: AiPrompt[]
  threshold?: number
}

export interface DetectResponse {
  /** The stored predictions (editor annotation shape). */
  annotations: ServerAnnotation[]
  /** Ids of this model's pending predictions they replaced. */
  replaced_ids?: number[]
  /** The image's revision before the predictions were stored; an editor there continues at `revision`. */
  previous_revision?: number
  revision: number
}

export interface SegmentPoint {
  x: number
  y: number
  positive: boolean
}

export interface SegmentRequest {
  dataset_id: number
  image_id: number
  model: string
  points: SegmentPoint[]
  box: [number, number, number, number] | null
  /** false: no outline (`polygon` comes back empty); a box dataset has no use for it, and it costs a pass over the mask. */
  polygon?: boolean
}

/** COCO run-length encoding, column-major: `counts` alternate runs of 0s and 1s, starting with 0s. */
export interface Rle {
  /** [height, width] */
  size: [number, number]
  /** Run lengths, or COCO's compressed string form. */
  counts: number[] | string
}

export interface SegmentResponse {
  mask: Rle
  /** The outline of the mask's largest region (simplified); empty when the mask is. */
  polygon: [number, number][]
  /** The tight box around the mask; null when the mask is empty. */
  box: [number, number, number, number] | null
  score: number
}

export interface ReviewImage {
  image_id: number
  filename: string
  pending: number
  models: string[]
}

export interface ReviewPage {
  items: ReviewImage[]
  next_cursor: string | null
  total: number | null
}

export interface ReviewModelStats {
  model: string
  accepted_as_is: number
  accepted_after_edit: number
  rejected: number
  pending: number
}

export interface ReviewStats {
  items: ReviewModelStats[]
}
