import { useState, type KeyboardEvent, type RefObject } from 'react'
import { Loader2Icon } from 'lucide-react'
import { SearchInput } from '@/components/ui/search-input'
import type { Product } from '@/lib/api'
import { useDebounced } from '@/lib/use-debounced'
import { cn } from '@/lib/utils'
import { moveIndex } from '../hooks/keys'
import { useProductSearch } from '../hooks/queries'

function Results({ items, active, onPick }: { items: Product[]; active: number; onPick: (p: Product) => void }) {
  return (
    <ul role="listbox" aria-label="Products found" className="absolute inset-x-0 top-full z-20 mt-1 max-h-72 overflow-y-auto rounded-md border bg-popover p-1 shadow-md" data-testid="product-search-results">
      {items.map((p, i) => (
        <li key={p.id} role="option" aria-selected={i === active}>
          <button
            type="button"
            tabIndex={-1}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(p)}
            className={cn('flex w-full items-center gap-2 rounded-sm px-2 py-1.5 text-left text-sm', i === active && 'bg-accent')}
            data-testid="product-search-option"
            data-sku={p.sku}
          >
            <span className="flex size-8 shrink-0 items-center justify-center overflow-hidden rounded-sm bg-muted">
              {p.cover_image ? <img src={p.cover_image.thumbnail_url} alt="" className="max-h-full max-w-full object-contain" /> : null}
            </span>
            <span className="min-w-0 flex-1">
              <span className="block truncate">{p.name}</span>
              <span className="block truncate font-mono text-xs text-muted-foreground">{p.sku}</span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  )
}

/** Search the catalogue for a product that is not among the candidates; ↑/↓ and Enter pick, Escape goes back to the queue. */
export function ProductSearch({ inputRef, disabled, onPick }: { inputRef: RefObject<HTMLInputElement | null>; disabled: boolean; onPick: (p: Product) => void }) {
  const [q, setQ] = useState('')
  const [active, setActive] = useState(0)
  const debounced = useDebounced(q, 200)
  const results = useProductSearch(debounced)
  const items = q.trim() ? (results.data ?? []) : []
  const pick = (p: Product) => {
    onPick(p)
    setQ('')
    inputRef.current?.blur()
  }
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      setActive((a) => moveIndex(a, event.key === 'ArrowDown' ? 1 : -1, items.length))
    } else if (event.key === 'Enter') {
      event.preventDefault()
      const p = items[active]
      if (p) pick(p)
    } else if (event.key === 'Escape') {
      setQ('')
      event.currentTarget.blur()
    }
  }
  return (
    <div className="relative">
      <SearchInput
        ref={inputRef}
        value={q}
        disabled={disabled}
        onChange={(e) => {
          setQ(e.target.value)
          setActive(0)
        }}
        onKeyDown={onKeyDown}
        placeholder="Another product: SKU, name, barcode…  ( / )"
        aria-label="Search another product"
        data-testid="match-product-search"
      />
      {results.isFetching && q.trim() ? <Loader2Icon className="absolute top-1/2 right-2.5 size-4 -translate-y-1/2 animate-spin text-muted-foreground" aria-hidden /> : null}
      {items.length > 0 ? <Results items={items} active={active} onPick={pick} /> : null}
      {q.trim() && debounced === q && !results.isFetching && items.length === 0 ? (
        <p className="absolute inset-x-0 top-full z-20 mt-1 rounded-md border bg-popover p-3 text-sm text-muted-foreground shadow-md">No product matches.</p>
      ) : null}
    </div>
  )
}
