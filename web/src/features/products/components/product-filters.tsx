import { ArrowDownIcon, ArrowUpIcon, XIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { SearchInput } from '@/components/ui/search-input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { PRODUCT_DOMAINS, PRODUCT_STATUSES, type FacetValue, type ProductFilters, type ProductSort } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { DOMAIN_LABEL } from '../hooks/domains'
import { activeProductFilterCount, DEFAULT_MIN_IMAGES, defaultOrder, type ProductListState } from '../hooks/filters'
import { useProductFacets } from '../hooks/queries'

const ALL = '__all'
const CLEARED: ProductFilters = { brand: null, category: null, status: null, has_domain: null, missing_domain: null, min_images_below: null }

const SORT_LABEL: Record<ProductSort, string> = {
  created_at: 'Newest',
  name: 'Name',
  sku: 'SKU',
  brand: 'Brand',
  image_count: 'Image count',
}

function FacetSelect({ label, values, value, onChange, testId }: { label: string; values: FacetValue[]; value: string | null | undefined; onChange: (v: string | null) => void; testId: string }) {
  return (
    <Select value={value ?? ALL} onValueChange={(v) => onChange(v === ALL ? null : v)}>
      <SelectTrigger className="w-40" aria-label={label} data-testid={testId}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>Any {label.toLowerCase()}</SelectItem>
        {values.map((f) => (
          <SelectItem key={f.value} value={f.value}>
            {f.value} <span className="text-muted-foreground">({formatCount(f.count)})</span>
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

/** has_domain / missing_domain as one choice: "has real images", "no cutout images". */
function DomainFilter({ filters, onChange }: { filters: ProductFilters; onChange: (patch: ProductFilters) => void }) {
  const value = filters.has_domain ? `has:${filters.has_domain}` : filters.missing_domain ? `missing:${filters.missing_domain}` : ALL
  const set = (v: string) => {
    const [kind, domain] = v.split(':') as [string, (typeof PRODUCT_DOMAINS)[number]]
    onChange({ has_domain: kind === 'has' ? domain : null, missing_domain: kind === 'missing' ? domain : null })
  }
  return (
    <Select value={value} onValueChange={set}>
      <SelectTrigger className="w-48" aria-label="Images by domain" data-testid="product-domain-filter">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>Any domains</SelectItem>
        {PRODUCT_DOMAINS.map((d) => (
          <SelectItem key={`has:${d}`} value={`has:${d}`}>
            Has {DOMAIN_LABEL[d].toLowerCase()} images
          </SelectItem>
        ))}
        {PRODUCT_DOMAINS.map((d) => (
          <SelectItem key={`missing:${d}`} value={`missing:${d}`}>
            No {DOMAIN_LABEL[d].toLowerCase()} images
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

function TooFewImages({ value, onChange }: { value: number | null | undefined; onChange: (v: number | null) => void }) {
  const on = value !== null && value !== undefined
  return (
    <div className="flex items-center gap-2 text-sm">
      <Checkbox id="products-too-few" checked={on} onCheckedChange={(c) => onChange(c === true ? DEFAULT_MIN_IMAGES : null)} data-testid="products-too-few" />
      <label htmlFor="products-too-few">Fewer than</label>
      <Input
        type="number"
        min={1}
        aria-label="Minimum images"
        className="h-8 w-16"
        value={on ? value : DEFAULT_MIN_IMAGES}
        disabled={!on}
        onChange={(e) => onChange(Math.max(1, Number(e.target.value) || 1))}
      />
      <span>images</span>
    </div>
  )
}

function SortControl({ state, onChange }: { state: ProductListState; onChange: (next: Partial<ProductListState>) => void }) {
  return (
    <div className="flex items-center gap-1">
      <Select value={state.sort} onValueChange={(v) => onChange({ sort: v as ProductSort, order: defaultOrder(v as ProductSort) })}>
        <SelectTrigger className="w-36" aria-label="Sort by" data-testid="products-sort">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {(Object.keys(SORT_LABEL) as ProductSort[]).map((s) => (
            <SelectItem key={s} value={s}>
              {SORT_LABEL[s]}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Button variant="outline" size="icon" aria-label={state.order === 'asc' ? 'Ascending' : 'Descending'} onClick={() => onChange({ order: state.order === 'asc' ? 'desc' : 'asc' })}>
        {state.order === 'asc' ? <ArrowUpIcon aria-hidden /> : <ArrowDownIcon aria-hidden />}
      </Button>
    </div>
  )
}

export interface ProductFiltersBarProps {
  state: ProductListState
  search: string
  onSearch: (q: string) => void
  onChange: (next: Partial<ProductListState>) => void
}

/** Search, brand, category, status, domains, "too few images" and sort, in one row that wraps. */
export function ProductFiltersBar({ state, search, onSearch, onChange }: ProductFiltersBarProps) {
  const facets = useProductFacets()
  const { filters } = state
  // Patches: the page merges them into the filters in the URL.
  const patch = (p: ProductFilters) => onChange({ filters: p })
  const active = activeProductFilterCount({ ...filters, q: null })
  return (
    <div className="mb-4 flex flex-wrap items-center gap-2" data-testid="product-filters">
      <SearchInput wrapperClassName="w-64" aria-label="Search products" placeholder="SKU, name, barcode or brand…" value={search} onChange={(e) => onSearch(e.target.value)} data-testid="products-search" />
      <FacetSelect label="Brand" values={facets.data?.brands ?? []} value={filters.brand} onChange={(brand) => patch({ brand })} testId="products-brand" />
      <FacetSelect label="Category" values={facets.data?.categories ?? []} value={filters.category} onChange={(category) => patch({ category })} testId="products-category" />
      <Select value={filters.status ?? ALL} onValueChange={(v) => patch({ status: v === ALL ? null : (v as ProductFilters['status']) })}>
        <SelectTrigger className="w-32" aria-label="Status" data-testid="products-status">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ALL}>Any status</SelectItem>
          {PRODUCT_STATUSES.map((s) => (
            <SelectItem key={s} value={s} className="capitalize">
              {s}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <DomainFilter filters={filters} onChange={patch} />
      <TooFewImages value={filters.min_images_below} onChange={(min_images_below) => patch({ min_images_below })} />
      {active > 0 ? (
        <Button variant="ghost" size="sm" onClick={() => patch(CLEARED)} data-testid="products-clear-filters">
          <XIcon aria-hidden /> Clear {active}
        </Button>
      ) : null}
      <div className="ml-auto">
        <SortControl state={state} onChange={onChange} />
      </div>
    </div>
  )
}
