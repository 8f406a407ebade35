/** The product list's filters and sort, kept in the URL so a filtered list can be linked and reloaded. */
import {
  PRODUCT_DOMAINS,
  PRODUCT_SORTS,
  PRODUCT_STATUSES,
  type ProductDomain,
  type ProductFilters,
  type ProductSort,
  type ProductStatus,
} from '@/lib/api'

export interface ProductListState {
  filters: ProductFilters
  sort: ProductSort
  order: 'asc' | 'desc'
}

export const DEFAULT_SORT: ProductSort = 'created_at'
/** "Too few images" means fewer than this when the person has not said otherwise. */
export const DEFAULT_MIN_IMAGES = 5

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null
}

function positiveInt(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null
  const n = Number(value)
  return n > 0 ? n : null
}

export function readProductListState(params: URLSearchParams): ProductListState {
  const sort = oneOf(params.get('sort'), PRODUCT_SORTS) ?? DEFAULT_SORT
  const order = params.get('order') === 'asc' ? 'asc' : params.get('order') === 'desc' ? 'desc' : defaultOrder(sort)
  return {
    filters: {
      q: params.get('q') || null,
      brand: params.get('brand') || null,
      category: params.get('category') || null,
      status: oneOf<ProductStatus>(params.get('status'), PRODUCT_STATUSES),
      has_domain: oneOf<ProductDomain>(params.get('has'), PRODUCT_DOMAINS),
      missing_domain: oneOf<ProductDomain>(params.get('missing'), PRODUCT_DOMAINS),
      min_images_below: positiveInt(params.get('below')),
    },
    sort,
    order,
  }
}

/** Newest first; names, SKUs and brands A to Z; the most images first. */
export function defaultOrder(sort: ProductSort): 'asc' | 'desc' {
  return sort === 'created_at' || sort === 'image_count' ? 'desc' : 'asc'
}

export function writeProductListState(state: ProductListState): URLSearchParams {
  const { filters } = state
  const entries: [string, string | number | null | undefined][] = [
    ['q', filters.q?.trim()],
    ['brand', filters.brand],
    ['category', filters.category],
    ['status', filters.status],
    ['has', filters.has_domain],
    ['missing', filters.missing_domain],
    ['below', filters.min_images_below],
    ['sort', state.sort === DEFAULT_SORT ? null : state.sort],
    ['order', state.order === defaultOrder(state.sort) ? null : state.order],
  ]
  const params = new URLSearchParams()
  for (const [key, value] of entries) if (value !== null && value !== undefined && value !== '') params.set(key, String(value))
  return params
}

export function activeProductFilterCount(filters: ProductFilters): number {
  return Object.values(filters).filter((v) => v !== null && v !== undefined && v !== '').length
}
