/** Product-recognition datasets (`/pr/datasets`): named sets of products, their stats and frozen versions. */
import type { JsonObject } from './common'
import type { ProductDomain, ProductStatus } from './products'

export type PrDatasetSource = 'all_products' | 'matched_products' | 'selection'
export const PR_DATASET_SOURCES: readonly PrDatasetSource[] = ['all_products', 'matched_products', 'selection']

export interface PrDatasetSelection {
  product_ids?: number[]
  brand?: string
  category?: string
  status?: ProductStatus
}

export interface PrDataset {
  id: number
  name: string
  description: string
  source: PrDatasetSource
  selection: PrDatasetSelection
  domains: ProductDomain[]
  min_images_per_product: number
  product_count: number
  image_count: number
  excluded_count: number
  version_count: number
  created_at: string
  updated_at: string
}

export interface PrDatasetCreate {
  name: string
  description?: string
  source: PrDatasetSource
  selection?: PrDatasetSelection
  domains: ProductDomain[]
  min_images_per_product: number
}

export type PrDatasetPatch = Partial<PrDatasetCreate>

export interface PrDatasetListParams {
  q?: string | null
  limit?: number
  cursor?: string | null
}

export interface ExcludedProduct {
  product_id: number
  sku: string
  name: string
  images: number
}

export interface PrDatasetStats {
  products: number
  images: number
  domains: Partial<Record<ProductDomain, number>>
  /** Products by their counted-image count. */
  distribution: { images: number; products: number }[]
  /** The first 500. */
  excluded: ExcludedProduct[]
  excluded_count: number
  min_images_per_product?: number
}

export interface PrVersion {
  id: number
  dataset_id: number
  number: number
  /** Empty when none was given. */
  name: string
  /** The dataset's source, selection, domains and minimum when it was frozen. */
  config: JsonObject
  /** {"products", "images", "domains": {...}, "excluded"} */
  counts: { products?: number; images?: number; excluded?: number; domains?: Partial<Record<ProductDomain, number>> }
  created_at: string
}
