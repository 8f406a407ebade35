/** The PR dataset pages' logic without React: the create form, and the stats shaped for the charts. */
import { PRODUCT_DOMAINS, type PrDatasetCreate, type PrDatasetSource, type PrDatasetStats, type ProductDomain, type ProductStatus } from '@/lib/api'

export const SOURCE_LABEL: Record<PrDatasetSource, string> = {
  all_products: 'All products',
  matched_products: 'Matched products',
  selection: 'A selection',
}

export const SOURCE_HINT: Record<PrDatasetSource, string> = {
  all_products: 'Every product of the catalogue.',
  matched_products: 'Only products with at least one cutout matched to them.',
  selection: 'Hand-picked products, or those of a brand, category or status.',
}

export interface PrDatasetForm {
  name: string
  description: string
  source: PrDatasetSource
  productIds: number[]
  brand: string
  category: string
  status: ProductStatus | null
  domains: ProductDomain[]
  minImages: string
}

export const DEFAULT_FORM: PrDatasetForm = {
  name: '',
  description: '',
  source: 'all_products',
  productIds: [],
  brand: '',
  category: '',
  status: null,
  domains: [...PRODUCT_DOMAINS],
  minImages: '1',
}

export function formErrors(form: PrDatasetForm): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!form.name.trim()) errors.name = 'A name is needed.'
  if (form.domains.length === 0) errors.domains = 'Count at least one domain.'
  const min = Number(form.minImages)
  if (form.minImages.trim() === '' || !Number.isInteger(min) || min < 0) errors.min_images_per_product = 'A whole number, 0 or more.'
  if (form.source === 'selection' && form.productIds.length === 0 && !form.brand.trim() && !form.category.trim() && !form.status) {
    errors.selection = 'Pick products, or give a brand, category or status.'
  }
  return errors
}

export function createBody(form: PrDatasetForm): PrDatasetCreate {
  const body: PrDatasetCreate = {
    name: form.name.trim(),
    description: form.description.trim(),
    source: form.source,
    domains: PRODUCT_DOMAINS.filter((d) => form.domains.includes(d)),
    min_images_per_product: Number(form.minImages),
  }
  if (form.source === 'selection') {
    body.selection = {}
    if (form.productIds.length > 0) body.selection.product_ids = [...form.productIds]
    if (form.brand.trim()) body.selection.brand = form.brand.trim()
    if (form.category.trim()) body.selection.category = form.category.trim()
    if (form.status) body.selection.status = form.status
  }
  return body
}

export interface DomainBar {
  domain: ProductDomain
  images: number
}

/** One bar per counted domain (zero included, so a missing domain shows). */
export function domainBars(stats: Pick<PrDatasetStats, 'domains'>, domains: readonly ProductDomain[]): DomainBar[] {
  return PRODUCT_DOMAINS.filter((d) => domains.includes(d)).map((d) => ({ domain: d, images: stats.domains[d] ?? 0 }))
}

export interface DistributionBar {
  /** "7" or "10–14". */
  label: string
  from: number
  to: number
  products: number
  /** Below the dataset's minimum: these products are excluded. */
  excluded: boolean
}

/**
 * Products by how many counted images they have, as bars. Every count gets its own bar while there are
 * few; past `maxBars` they are grouped into equal ranges, never mixing excluded and included counts.
 */
export function distributionBars(distribution: PrDatasetStats['distribution'], minImages: number, maxBars = 30): DistributionBar[] {
  const rows = [...distribution].filter((r) => r.products > 0).sort((a, b) => a.images - b.images)
  if (rows.length === 0) return []
  const top = rows[rows.length - 1]?.images ?? 0
  const width = top + 1 <= maxBars ? 1 : Math.ceil((top + 1) / maxBars)
  const bars = new Map<number, DistributionBar>()
  for (const row of rows) {
    // Ranges start at the minimum so no bar straddles it.
    const below = row.images < minImages
    const base = below ? 0 : minImages
    const from = base + Math.floor((row.images - base) / width) * width
    const to = below ? Math.min(from + width - 1, minImages - 1) : from + width - 1
    const key = from * 2 + (below ? 0 : 1)
    const bar = bars.get(key) ?? { label: width === 1 ? String(from) : `${from}–${to}`, from, to, products: 0, excluded: below }
    bar.products += row.products
    bars.set(key, bar)
  }
  return [...bars.values()].sort((a, b) => a.from - b.from || Number(b.excluded) - Number(a.excluded))
}
