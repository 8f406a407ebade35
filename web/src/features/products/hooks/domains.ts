/** How the four image domains are named and coloured everywhere in the product-recognition pages. */
import { PRODUCT_DOMAINS, type DomainCounts, type ProductDomain } from '@/lib/api'

export const DOMAIN_LABEL: Record<ProductDomain, string> = {
  synthetic: 'Synthetic',
  real: 'Real',
  augmented: 'Augmented',
  cutout: 'Cutout',
}

export const DOMAIN_HINT: Record<ProductDomain, string> = {
  synthetic: 'Packshots, renders and video frames',
  real: 'Photos of the product in a store or a hand',
  augmented: 'Made from other images by augmentation',
  cutout: 'Crops of the product cut from shelf photos',
}

/** Chart and badge colours (Tailwind palette values, so charts match the badges). */
export const DOMAIN_COLOR: Record<ProductDomain, string> = {
  synthetic: '#6366f1',
  real: '#10b981',
  augmented: '#f59e0b',
  cutout: '#0ea5e9',
}

export function domainCounts(partial: Partial<Record<ProductDomain, number>> | null | undefined): DomainCounts {
  return Object.fromEntries(PRODUCT_DOMAINS.map((d) => [d, partial?.[d] ?? 0])) as DomainCounts
}

/** The domains with at least one image, in the canonical order. */
export function presentDomains(counts: Partial<Record<ProductDomain, number>> | null | undefined): ProductDomain[] {
  return PRODUCT_DOMAINS.filter((d) => (counts?.[d] ?? 0) > 0)
}
