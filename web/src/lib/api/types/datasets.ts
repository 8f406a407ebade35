/** Datasets, their images, stats and formats (`/od/datasets`). */
import type { ImageFilters, LibraryImage } from './images'

export type AnnotationType = 'bbox' | 'polygon'
export type DatasetImageStatus = 'new' | 'in_progress' | 'completed' | 'skipped'
export const DATASET_IMAGE_STATUSES: readonly DatasetImageStatus[] = ['new', 'in_progress', 'completed', 'skipped']
export type DatasetSplit = 'train' | 'val' | 'test'

export type StatusCounts = Record<DatasetImageStatus, number>

export interface Dataset {
  id: number
  name: string
  description: string
  annotation_type: AnnotationType
  created_by: number | null
  created_at: string
  updated_at: string
  image_count: number
  annotation_count: number
  status_counts: StatusCounts
  /** 0..1 */
  progress: number
}

export interface DatasetCreate {
  name: string
  description?: string
  annotation_type: AnnotationType
}

export type DatasetUpdate = Partial<DatasetCreate>

export interface DatasetListParams {
  q?: string | null
  limit?: number
  cursor?: string | null
}

/** The library image as a dataset listing shows it. */
export type DatasetImageInfo = Pick<
  LibraryImage,
  'id' | 'filename' | 'width' | 'height' | 'format' | 'size_bytes' | 'folder' | 'file_url' | 'thumbnail_url'
>

export interface DatasetImage {
  id: number
  dataset_id: number
  /** The library image id (routes use this one). */
  image_id: number
  image: DatasetImageInfo
  status: DatasetImageStatus
  split: DatasetSplit | null
  annotation_count: number
  revision: number
  assigned_to: number | null
  added_at: string
  updated_at: string
  /** Only with `with_boxes`: the image's first boxes (up to 50) for its thumbnail. */
  boxes?: ThumbBox[] | null
}

/** A box in 0..1 image coordinates with its class colour. */
export interface ThumbBox {
  x: number
  y: number
  w: number
  h: number
  color: string
}

export interface DatasetImageListParams {
  status?: DatasetImageStatus[]
  split?: DatasetSplit | 'none' | null
  /** Part of the file name. */
  q?: string | null
  withBoxes?: boolean
  limit?: number
  cursor?: string | null
}

export type AddImagesRequest = { image_ids: number[] } | { filter: ImageFilters }

export interface AddImagesResult {
  added: number
  already_present: number
}

export interface RemoveImagesResult {
  removed: number
  not_present: number
  annotations_removed: number
}

export interface DatasetImagePatch {
  status?: DatasetImageStatus
  split?: DatasetSplit | null
}

export interface BulkImagesResult {
  updated: number
  not_present: number
}

export interface DatasetClassCount {
  class_id: number
  name: string
  display_name: string
  color: string
  annotations: number
  images: number
}

export interface ClassDistributionPoint {
  class_id: number
  label: string
  color: string
  value: number
  percent: number
}

export interface DatasetStats {
  dataset_id: number
  image_count: number
  images_by_status: StatusCounts
  progress: number
  annotation_count: number
  annotations_by_class: DatasetClassCount[]
  class_distribution: ClassDistributionPoint[]
  splits: { train: number; val: number; test: number; unassigned: number }
}

/** One class of a dataset's label set (GET /od/datasets/{id}/classes), in the set's order. */
export interface LabelSetClass {
  id: number
  name: string
  display_name: string
  color: string
  category: string | null
  /** 1–9 for the first nine: the editor's number keys. */
  key: number | null
  /** In the dataset's stored order; false: used by its annotations, not placed yet (after the placed ones). */
  listed: boolean
  annotation_count: number
}

export interface LabelSet {
  dataset_id: number
  items: LabelSetClass[]
}

export type DatasetFormat = 'coco' | 'yolo' | 'voc'
export const DATASET_FORMATS: readonly DatasetFormat[] = ['coco', 'yolo', 'voc']

export interface SplitRatios {
  train: number
  val: number
  test: number
}
