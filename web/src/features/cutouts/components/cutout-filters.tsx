import { XIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Segmented } from '@/components/ui/segmented'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useDatasetChoices } from '@/features/datasets'
import { ProductPicker, type PickedProduct } from '@/features/products'
import type { CutoutFilters, CutoutState } from '@/lib/api'
import { useClassChoices } from '../hooks/queries'

const ALL = '__all'
const STATES: { value: CutoutState | typeof ALL; label: string }[] = [
  { value: ALL, label: 'All' },
  { value: 'unmatched', label: 'Unmatched' },
  { value: 'matched', label: 'Matched' },
  { value: 'rejected', label: 'Rejected' },
]

function IdSelect({ label, value, items, onChange, testId }: { label: string; value: number | null | undefined; items: { id: number; name: string }[]; onChange: (id: number | null) => void; testId: string }) {
  return (
    <Select value={value ? String(value) : ALL} onValueChange={(v) => onChange(v === ALL ? null : Number(v))}>
      <SelectTrigger className="w-48" aria-label={label} data-testid={testId}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>Any {label.toLowerCase()}</SelectItem>
        {items.map((i) => (
          <SelectItem key={i.id} value={String(i.id)}>
            {i.name}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

/** State, source dataset, class and product; `product` is the picked product, kept for its name. */
export function CutoutFiltersBar({ filters, product, onChange, onProduct }: { filters: CutoutFilters; product: PickedProduct | null; onChange: (patch: CutoutFilters) => void; onProduct: (p: PickedProduct | null) => void }) {
  const datasets = useDatasetChoices()
  const classes = useClassChoices(filters.dataset_id ?? null)
  return (
    <div className="mb-4 flex flex-wrap items-center gap-2" data-testid="cutout-filters">
      <Segmented label="State" value={filters.state ?? ALL} options={STATES} onChange={(v) => onChange({ state: v === ALL ? null : v })} testId="cutout-state-filter" />
      <IdSelect label="Dataset" value={filters.dataset_id} items={datasets.data ?? []} onChange={(dataset_id) => onChange({ dataset_id, class_id: null })} testId="cutout-dataset-filter" />
      <IdSelect label="Class" value={filters.class_id} items={(classes.data ?? []).map((c) => ({ id: c.id, name: c.display_name || c.name }))} onChange={(class_id) => onChange({ class_id })} testId="cutout-class-filter" />
      <ProductPicker value={product} onChange={(p) => onProduct(p)} placeholder="Any product" label="Filter by product" className="w-56" testId="cutout-product-filter" />
      {product ? (
        <Button variant="ghost" size="icon-sm" aria-label="Any product" onClick={() => onProduct(null)}>
          <XIcon aria-hidden />
        </Button>
      ) : null}
    </div>
  )
}
