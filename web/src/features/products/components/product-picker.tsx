import { useState } from 'react'
import { CheckIcon, ChevronsUpDownIcon, Loader2Icon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Popover, PopoverContent, PopoverTrigger } from '@/components/ui/popover'
import { SearchInput } from '@/components/ui/search-input'
import type { Product } from '@/lib/api'
import { useDebounced } from '@/lib/use-debounced'
import { cn } from '@/lib/utils'
import { useProductSearch } from '../hooks/queries'
import { ProductThumb } from './products-table'

/** The fields of a product a picker shows and hands back. */
export type PickedProduct = Pick<Product, 'id' | 'sku' | 'name'> & Partial<Pick<Product, 'cover_image' | 'brand'>>

export interface ProductPickerProps {
  value: PickedProduct | null
  onChange: (product: PickedProduct) => void
  /** Left out of the choices (the product an image is moved away from). */
  excludeId?: number
  placeholder?: string
  label?: string
  className?: string
  testId?: string
}

function Results({ q, value, excludeId, onPick }: { q: string; value: PickedProduct | null; excludeId?: number; onPick: (p: Product) => void }) {
  const results = useProductSearch(q)
  const items = (results.data ?? []).filter((p) => p.id !== excludeId)
  if (results.isPending) return <Loader2Icon className="mx-auto my-4 size-4 animate-spin text-muted-foreground" aria-label="Searching" />
  if (items.length === 0) return <p className="px-2 py-4 text-center text-sm text-muted-foreground">No product matches.</p>
  return (
    <ul className="max-h-72 overflow-y-auto" role="listbox" aria-label="Products">
      {items.map((p) => (
        <li key={p.id} role="option" aria-selected={value?.id === p.id}>
          <button type="button" className="flex w-full items-center gap-2 rounded-sm px-2 py-1.5 text-left text-sm hover:bg-accent" onClick={() => onPick(p)} data-testid="product-option" data-sku={p.sku}>
            <ProductThumb product={p} size="size-8" />
            <span className="min-w-0 flex-1">
              <span className="block truncate">{p.name}</span>
              <span className="block truncate font-mono text-xs text-muted-foreground">{p.sku}</span>
            </span>
            {value?.id === p.id ? <CheckIcon className="size-4" aria-hidden /> : null}
          </button>
        </li>
      ))}
    </ul>
  )
}

/** Choose one product by searching its SKU, name, barcode or brand. */
export function ProductPicker({ value, onChange, excludeId, placeholder = 'Choose a product', label = 'Product', className, testId = 'product-picker' }: ProductPickerProps) {
  const [open, setOpen] = useState(false)
  const [q, setQ] = useState('')
  const debounced = useDebounced(q, 200)
  return (
    <Popover open={open} onOpenChange={setOpen}>
      <PopoverTrigger asChild>
        <Button type="button" variant="outline" role="combobox" aria-label={label} aria-expanded={open} className={cn('justify-between font-normal', className)} data-testid={testId}>
          <span className={cn('truncate', !value && 'text-muted-foreground')}>{value ? `${value.name} (${value.sku})` : placeholder}</span>
          <ChevronsUpDownIcon className="opacity-50" aria-hidden />
        </Button>
      </PopoverTrigger>
      <PopoverContent className="w-80 p-2" align="start">
        <SearchInput autoFocus aria-label="Search products" placeholder="SKU, name, barcode…" value={q} onChange={(e) => setQ(e.target.value)} wrapperClassName="mb-2" data-testid={`${testId}-search`} />
        {open ? (
          <Results
            q={debounced}
            value={value}
            excludeId={excludeId}
            onPick={(p) => {
              onChange(p)
              setOpen(false)
            }}
          />
        ) : null}
      </PopoverContent>
    </Popover>
  )
}
