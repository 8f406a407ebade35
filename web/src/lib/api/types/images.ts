/** The image library (`/od/images`). */
import type { ErrorBody } from './common'

export type ImageSource = 'upload' | 'url' | 'sync' | 'import'
export const IMAGE_SOURCES: readonly ImageSource[] = ['upload', 'url', 'sync', 'import']
export type ImageSortField = 'created_at' | 'filename' | 'size'
export type SortOrder = 'asc' | 'desc'

/** Folders and tags in use, most used first: `GET /od/images/facets`. */
export interface FacetCount {
  value: string
  images: number
}
export interface ImageFacets {
  folders: FacetCount[]
  tags: FacetCount[]
}

export interface LibraryImage {
  id: number
  filename: string
  width: number
  height: number
  format: string
  size_bytes: number
  content_hash: string
  source: ImageSource
  source_id: string | null
  folder: string | null
  tags: string[]
  created_by: number | null
  created_at: string
  updated_at: string
  file_url: string
  thumbnail_url: string
}

/** Which library images to take (list, bulk actions, "add to dataset by filter"). All must hold. */
export interface ImageFilters {
  source?: ImageSource | null
  folder?: string | null
  folder_prefix?: boolean
  tags?: string[]
  dataset_id?: number | null
  not_in_dataset_id?: number | null
  has_annotations?: boolean | null
  q?: string | null
}

export interface ImageListParams extends ImageFilters {
  limit?: number
  cursor?: string | null
  sort?: ImageSortField
  order?: SortOrder
  with_total?: boolean
}

export type IngestStatus = 'stored' | 'duplicate' | 'rejected'

export interface IngestItemResult {
  filename: string
  url?: string | null
  status: IngestStatus
  image: LibraryImage | null
  error: ErrorBody | null
}

export interface BatchResult {
  results: IngestItemResult[]
  stored: number
  duplicate: number
  rejected: number
}

export interface ImageTarget {
  folder?: string | null
  tags?: string[]
}

export interface ImagePatch {
  folder?: string | null
  tags?: string[]
}

export interface UrlImportRequest extends ImageTarget {
  urls: string[]
}

export interface SyncRequest extends ImageTarget {
  date_from?: string | null
  date_to?: string | null
  store_id?: string | null
  merchant_id?: string | null
}

export type BulkImageAction = 'tag' | 'untag' | 'set_folder' | 'delete'

export interface BulkImageRequest {
  ids?: number[]
  filter?: ImageFilters
  action: BulkImageAction
  tags?: string[]
  folder?: string | null
  force?: boolean
}

export interface BulkImageResult {
  action: BulkImageAction
  matched: number
  changed: number
  skipped: number
  skipped_reasons: Record<string, number>
}

/** Extra fields of the 409 when deleting an annotated image. */
export interface ImageInUse {
  image_id: number
  annotations?: number
  datasets?: { dataset_id: number; name: string; annotations: number }[]
  versions?: { version_id: number; dataset_id: number; dataset_name: string; number: number; name: string }[]
}

/** Result of a `od.images.verify` job. */
export interface StorageVerifyResult {
  checked: number
  ok: number
  missing: number
  hash_mismatch: number
  thumbnails_rebuilt: number
}
