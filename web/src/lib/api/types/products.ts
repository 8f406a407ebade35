/** The product catalogue (`/pr/products`): products, their images by domain, videos and catalogue import. */
import type { ErrorBody, JsonObject } from './common'
import type { Job } from './jobs'

/** Where a product image comes from, as training sees it. */
export type ProductDomain = 'synthetic' | 'real' | 'augmented' | 'cutout'
export const PRODUCT_DOMAINS: readonly ProductDomain[] = ['synthetic', 'real', 'augmented', 'cutout']

export type ProductStatus = 'active' | 'draft' | 'archived'
export const PRODUCT_STATUSES: readonly ProductStatus[] = ['active', 'draft', 'archived']

export type DomainCounts = Record<ProductDomain, number>

export interface ProductImage {
  id: number
  product_id: number
  domain: ProductDomain
  /** upload, video, cutout, import, url, … */
  source: string
  filename: string
  width: number
  height: number
  format: string
  size_bytes: number
  video_id: number | null
  frame_index: number | null
  frame_time_s: number | null
  cutout_id: number | null
  created_at: string
  file_url: string
  thumbnail_url: string
}

export interface Product {
  id: number
  sku: string
  barcode: string | null
  name: string
  brand: string | null
  category: string | null
  attributes: JsonObject
  status: ProductStatus
  image_count: number
  domain_counts: DomainCounts
  cover_image: ProductImage | null
  created_at: string
  updated_at: string
}

export type ProductSort = 'created_at' | 'name' | 'sku' | 'brand' | 'image_count'
export const PRODUCT_SORTS: readonly ProductSort[] = ['created_at', 'name', 'sku', 'brand', 'image_count']

export interface ProductFilters {
  /** Case-insensitive substring of SKU, name, barcode or brand. */
  q?: string | null
  brand?: string | null
  category?: string | null
  status?: ProductStatus | null
  has_domain?: ProductDomain | null
  missing_domain?: ProductDomain | null
  /** Only products with fewer images than this. */
  min_images_below?: number | null
}

export interface ProductListParams extends ProductFilters {
  sort?: ProductSort
  order?: 'asc' | 'desc'
  limit?: number
  cursor?: string | null
}

export interface FacetValue {
  value: string
  count: number
}

export interface ProductFacets {
  brands: FacetValue[]
  categories: FacetValue[]
}

export interface ProductCreate {
  sku: string
  name: string
  barcode?: string | null
  brand?: string | null
  category?: string | null
  attributes?: JsonObject
  status?: ProductStatus
}

export type ProductPatch = Partial<ProductCreate>

/** 409 extras of a delete refused because a frozen PR dataset version uses the images. */
export interface FrozenVersionRef {
  dataset_id: number
  dataset: string
  version_id: number
  number: number
}

export interface ProductImageListParams {
  domain?: ProductDomain | null
  limit?: number
  cursor?: string | null
}

export interface ProductImageUploadItem {
  filename: string
  status: 'stored' | 'duplicate' | 'error'
  image: ProductImage | null
  /** A duplicate: the product that already has those bytes. */
  product_id?: number | null
  error: ErrorBody | null
}

export interface ProductImageUploadResult {
  items: ProductImageUploadItem[]
  stored: number
  duplicates: number
  errors: number
}

export interface ProductImagePatch {
  product_id?: number
  domain?: ProductDomain
}

// ---- videos ------------------------------------------------------------------

export type FrameMode = 'first' | 'key_frames' | 'interval'

export interface FramePolicy {
  mode: FrameMode
  every_s: number
  max_frames: number
}

export type VideoStatus = 'pending' | 'extracting' | 'ready' | 'failed'

export interface ProductVideo {
  id: number
  product_id: number
  filename: string
  size_bytes: number
  format: string | null
  width: number | null
  height: number | null
  duration_s: number | null
  fps: number | null
  frame_policy: Partial<FramePolicy> | null
  status: VideoStatus
  frames_extracted: number
  error: string | null
  job_id: number | null
  kept: boolean
  created_at: string
  /** The kept video file, when it was kept. */
  file_url?: string | null
}

export interface VideoUploadStarted {
  job: Job
  video: ProductVideo
}

export function isVideoBusy(video: Pick<ProductVideo, 'status'>): boolean {
  return video.status === 'pending' || video.status === 'extracting'
}

// ---- catalogue import ----------------------------------------------------------

export type OnExisting = 'skip' | 'update' | 'fail'

export interface CatalogueImportOptions {
  /** Product field → the catalogue's column holding it, e.g. {"sku": "product_id"}. */
  columns?: Record<string, string>
  /** Zip folder name → domain, e.g. {"studio": "synthetic"}. */
  domain_map?: Record<string, string>
  on_existing?: OnExisting
}

/** One bad row or file of a catalogue import. */
export interface CatalogueIssue {
  row?: number | null
  line?: number | null
  field?: string | null
  file?: string | null
  detail: string
}

export interface CatalogueImportResult {
  /** imported, or rejected (then nothing was written and `issues` says why). */
  outcome?: 'imported' | 'rejected'
  products_created: number
  products_skipped?: number
  products_updated: number
  images_stored: number
  images_duplicate: number
  issues: CatalogueIssue[]
}
