import { useCallback, useEffect, useState } from 'react'
import { BoxIcon, PlusIcon } from 'lucide-react'
import { useSearchParams } from 'react-router'
import { LoadMore } from '@/components/load-more'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { useDebounced } from '@/lib/use-debounced'
import { CatalogueImportButton } from '../components/catalogue-import-dialog'
import { CreateProductDialog } from '../components/create-product-dialog'
import { ProductFiltersBar } from '../components/product-filters'
import { ProductsTable } from '../components/products-table'
import { useCanWrite } from '../hooks/can-write'
import { activeProductFilterCount, readProductListState, writeProductListState, type ProductListState } from '../hooks/filters'
import { useProductPages } from '../hooks/queries'

/** The list's state lives in the URL; the search box is debounced before it gets there. */
function useListState() {
  const [params, setParams] = useSearchParams()
  const state = readProductListState(params)
  const [search, setSearch] = useState(state.filters.q ?? '')
  const debounced = useDebounced(search, 250)
  const update = useCallback(
    (next: Partial<ProductListState>) => {
      setParams((prev) => {
        const current = readProductListState(prev)
        return writeProductListState({ ...current, ...next, filters: { ...current.filters, ...next.filters } })
      }, { replace: true })
    },
    [setParams],
  )
  useEffect(() => {
    update({ filters: { q: debounced.trim() || null } })
  }, [debounced, update])
  return { state, search, setSearch, update }
}

function Empty({ filtered, onCreate }: { filtered: boolean; onCreate: () => void }) {
  return (
    <EmptyState
      icon={<BoxIcon aria-hidden />}
      title={filtered ? 'No products match' : 'No products yet'}
      description={filtered ? 'Try other filters or clear them.' : 'Import a catalogue (CSV or JSON, with an images zip) or create products one by one.'}
      action={
        filtered ? null : (
          <Button size="sm" onClick={onCreate}>
            <PlusIcon aria-hidden /> New product
          </Button>
        )
      }
    />
  )
}

export function ProductsPage() {
  const { state, search, setSearch, update } = useListState()
  const [creating, setCreating] = useState(false)
  const canWrite = useCanWrite()
  const pages = useProductPages({ ...state.filters, sort: state.sort, order: state.order })
  const items = pages.data?.pages.flatMap((p) => p.items) ?? []
  const total = pages.data?.pages[0]?.total ?? null
  const filtered = activeProductFilterCount(state.filters) > 0
  const { fetchNextPage } = pages
  const more = useCallback(() => void fetchNextPage(), [fetchNextPage])
  return (
    <div>
      <PageHeader
        eyebrow="Product recognition"
        title="Products"
        description="The catalogue: every SKU with its synthetic, real, augmented and cutout images."
        actions={
          <>
            <CatalogueImportButton disabled={!canWrite} />
            <Button onClick={() => setCreating(true)} disabled={!canWrite} data-testid="new-product">
              <PlusIcon aria-hidden /> New product
            </Button>
          </>
        }
      />
      <ProductFiltersBar state={state} search={search} onSearch={setSearch} onChange={update} />
      <Card className="overflow-hidden">
        {pages.isError ? (
          <ErrorState error={pages.error} title="Could not load products" onRetry={() => void pages.refetch()} />
        ) : !pages.isPending && items.length === 0 ? (
          <Empty filtered={filtered} onCreate={() => setCreating(true)} />
        ) : (
          <>
            <ProductsTable products={items} pending={pages.isPending} />
            <LoadMore shown={items.length} total={total} hasMore={pages.hasNextPage} loading={pages.isFetchingNextPage} onMore={more} noun="products" />
          </>
        )}
      </Card>
      <CreateProductDialog open={creating} onOpenChange={setCreating} />
    </div>
  )
}
