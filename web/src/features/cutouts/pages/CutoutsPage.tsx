import { useCallback, useMemo, useState } from 'react'
import { ScissorsIcon } from 'lucide-react'
import { useSearchParams } from 'react-router'
import { LoadMore } from '@/components/load-more'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { useCanWrite, useProduct, type PickedProduct } from '@/features/products'
import type { CutoutFilters } from '@/lib/api'
import { BulkBar } from '../components/bulk-bar'
import { CutoutCard } from '../components/cutout-card'
import { CutoutFiltersBar } from '../components/cutout-filters'
import { MakeCutoutsDialog } from '../components/make-cutouts-dialog'
import { readCutoutFilters, toggleSelection, writeCutoutFilters } from '../hooks/logic'
import { useCutoutPages } from '../hooks/queries'

function useFilters() {
  const [params, setParams] = useSearchParams()
  const filters = readCutoutFilters(params)
  const [picked, setPicked] = useState<PickedProduct | null>(null)
  // After a reload only the id is in the URL: fetch the product for the picker's label.
  const fromUrl = useProduct(picked === null ? (filters.product_id ?? 0) : 0)
  const product = filters.product_id ? (picked ?? fromUrl.data ?? null) : null
  const update = (patch: CutoutFilters) => setParams((prev) => writeCutoutFilters({ ...readCutoutFilters(prev), ...patch }), { replace: true })
  const pickProduct = (p: PickedProduct | null) => {
    setPicked(p)
    update({ product_id: p?.id ?? null })
  }
  return { filters, update, product, pickProduct }
}

function useSelection(order: number[]) {
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [anchor, setAnchor] = useState<number | null>(null)
  const toggle = useCallback(
    (id: number, range: boolean) => {
      setSelected((s) => toggleSelection(s, id, order, anchor, range))
      setAnchor(id)
    },
    [order, anchor],
  )
  const clear = () => setSelected(new Set())
  // Only ids still listed count (a filter change may hide some).
  const ids = order.filter((id) => selected.has(id))
  return { selected, toggle, clear, ids }
}

export function CutoutsPage() {
  const { filters, update, product, pickProduct } = useFilters()
  const [making, setMaking] = useState(false)
  const canWrite = useCanWrite()
  const pages = useCutoutPages(filters)
  const items = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data])
  const order = useMemo(() => items.map((c) => c.id), [items])
  const selection = useSelection(order)
  const { fetchNextPage } = pages
  const more = useCallback(() => void fetchNextPage(), [fetchNextPage])
  const filtered = Object.values(filters).some((v) => v !== null && v !== undefined)
  return (
    <div>
      <PageHeader
        eyebrow="Product recognition"
        title="Cutouts"
        description="Product crops cut from shelf photos, each beside its place on the photo. Match them to the catalogue or reject them."
        actions={
          <Button onClick={() => setMaking(true)} disabled={!canWrite} data-testid="make-cutouts">
            <ScissorsIcon aria-hidden /> Make cutouts
          </Button>
        }
      />
      <CutoutFiltersBar filters={filters} product={product} onChange={update} onProduct={pickProduct} />
      {selection.ids.length > 0 && canWrite ? <BulkBar ids={selection.ids} onDone={selection.clear} onClear={selection.clear} /> : null}
      {pages.isError ? (
        <Card>
          <ErrorState error={pages.error} title="Could not load cutouts" onRetry={() => void pages.refetch()} />
        </Card>
      ) : pages.isPending ? (
        <LoadingState />
      ) : items.length === 0 ? (
        <Card>
          <EmptyState icon={<ScissorsIcon aria-hidden />} title={filtered ? 'No cutouts match' : 'No cutouts yet'} description={filtered ? 'Try other filters.' : 'Make cutouts from an annotated object-detection dataset, or from a detector’s predictions.'} />
        </Card>
      ) : (
        <>
          <ul className="grid grid-cols-[repeat(auto-fill,minmax(22rem,1fr))] gap-3" data-testid="cutout-grid">
            {items.map((c) => (
              <CutoutCard key={c.id} cutout={c} selected={selection.selected.has(c.id)} onToggle={selection.toggle} canWrite={canWrite} />
            ))}
          </ul>
          <LoadMore shown={items.length} total={pages.data?.pages[0]?.total ?? null} hasMore={pages.hasNextPage} loading={pages.isFetchingNextPage} onMore={more} noun="cutouts" />
        </>
      )}
      <MakeCutoutsDialog open={making} onOpenChange={setMaking} />
    </div>
  )
}
