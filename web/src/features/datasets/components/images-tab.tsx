/** A dataset's images: search and filters, a grid of thumbnails with their boxes, bulk actions, pages. */
import { useState } from 'react'
import { ChevronLeftIcon, ChevronRightIcon, ImageIcon, PlusIcon } from 'lucide-react'
import { EmptyState, ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { SearchInput } from '@/components/ui/search-input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { DATASET_IMAGE_STATUSES, type DatasetImage, type DatasetImageStatus, type DatasetSplit } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { useDebounced } from '@/lib/use-debounced'
import { cn } from '@/lib/utils'
import { useDatasetImages } from '../hooks/datasets'
import { AddImagesDialog } from './add-images-dialog'
import { DatasetImageCard } from './dataset-image-card'
import { ImagesBulkBar } from './images-bulk-bar'
import { STATUS_META } from './overview-tab'

const ANY = 'any'
const LIMIT = 48

interface Filters {
  q: string
  status: DatasetImageStatus | null
  split: DatasetSplit | 'none' | null
}

/** The filters, the page cursors and the selection of the tab; any filter change goes back to page 1. */
function useImagesTabState(datasetId: number) {
  const [filters, setFilters] = useState<Filters>({ q: '', status: null, split: null })
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const q = useDebounced(filters.q.trim())
  const cursor = cursors[cursors.length - 1] ?? null
  const images = useDatasetImages(datasetId, {
    q: q || null,
    status: filters.status ? [filters.status] : undefined,
    split: filters.split,
    withBoxes: true,
    limit: LIMIT,
    cursor,
  })
  const setFilter = (change: Partial<Filters>) => {
    setFilters((current) => ({ ...current, ...change }))
    setCursors([null])
  }
  const toggle = (imageId: number, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current)
      if (on) next.add(imageId)
      else next.delete(imageId)
      return next
    })
  const filtered = Boolean(q || filters.status || filters.split)
  return { filters, setFilter, cursors, setCursors, selected, setSelected, toggle, images, filtered }
}

function ImagesToolbar({
  filters,
  setFilter,
  onAdd,
}: {
  filters: Filters
  setFilter: (change: Partial<Filters>) => void
  onAdd: () => void
}) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <SearchInput
        wrapperClassName="w-64"
        placeholder="Search file names"
        aria-label="Search file names"
        value={filters.q}
        onChange={(e) => setFilter({ q: e.target.value })}
      />
      <Select value={filters.status ?? ANY} onValueChange={(v) => setFilter({ status: v === ANY ? null : (v as DatasetImageStatus) })}>
        <SelectTrigger className="w-40" aria-label="Status">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ANY}>All statuses</SelectItem>
          {DATASET_IMAGE_STATUSES.map((s) => (
            <SelectItem key={s} value={s}>
              {STATUS_META[s].label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      <Select value={filters.split ?? ANY} onValueChange={(v) => setFilter({ split: v === ANY ? null : (v as DatasetSplit | 'none') })}>
        <SelectTrigger className="w-40" aria-label="Split">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ANY}>All splits</SelectItem>
          <SelectItem value="train">Train</SelectItem>
          <SelectItem value="val">Validation</SelectItem>
          <SelectItem value="test">Test</SelectItem>
          <SelectItem value="none">Unassigned</SelectItem>
        </SelectContent>
      </Select>
      <Button className="ml-auto" onClick={onAdd} data-testid="add-images">
        <PlusIcon aria-hidden /> Add images
      </Button>
    </div>
  )
}

function ImagesGrid({
  datasetId,
  items,
  dimmed,
  selected,
  onToggle,
}: {
  datasetId: number
  items: DatasetImage[]
  dimmed: boolean
  selected: ReadonlySet<number>
  onToggle: (imageId: number, on: boolean) => void
}) {
  return (
    <ul className={cn('grid grid-cols-[repeat(auto-fill,minmax(10rem,1fr))] gap-3', dimmed && 'opacity-60')} aria-label="Dataset images">
      {items.map((item) => (
        <DatasetImageCard
          key={item.id}
          datasetId={datasetId}
          item={item}
          selected={selected.has(item.image_id)}
          onSelect={(on) => onToggle(item.image_id, on)}
        />
      ))}
    </ul>
  )
}

function Pager({
  cursors,
  setCursors,
  shown,
  total,
  next,
}: {
  cursors: (string | null)[]
  setCursors: (cursors: (string | null)[]) => void
  shown: number
  total: number | null
  next: string | null
}) {
  const first = (cursors.length - 1) * LIMIT
  return (
    <div className="flex items-center justify-between text-sm text-muted-foreground">
      <span>
        {shown > 0 ? `${formatCount(first + 1)}–${formatCount(first + shown)}${total !== null ? ` of ${formatCount(total)}` : ''}` : null}
      </span>
      <div className="flex items-center gap-2">
        <Button variant="outline" size="sm" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          <ChevronLeftIcon aria-hidden /> Previous
        </Button>
        <Button variant="outline" size="sm" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
          Next <ChevronRightIcon aria-hidden />
        </Button>
      </div>
    </div>
  )
}

export function ImagesTab({ datasetId, datasetName, canAutoAnnotate = false }: { datasetId: number; datasetName: string; canAutoAnnotate?: boolean }) {
  const state = useImagesTabState(datasetId)
  const [adding, setAdding] = useState(false)
  const { images, filtered } = state
  const items = images.data?.items ?? []
  const grid = images.isError ? (
    <Card>
      <ErrorState error={images.error} onRetry={() => void images.refetch()} />
    </Card>
  ) : images.isPending ? (
    <div className="grid grid-cols-[repeat(auto-fill,minmax(10rem,1fr))] gap-3">
      {Array.from({ length: 8 }, (_, i) => (
        <Skeleton key={i} className="aspect-[4/3]" />
      ))}
    </div>
  ) : items.length === 0 ? (
    <Card>
      <EmptyState
        icon={<ImageIcon aria-hidden />}
        title={filtered ? 'No images match' : 'No images in this dataset yet'}
        description={filtered ? 'Try another name, status or split.' : 'Add images from the library to start labelling.'}
        action={
          filtered ? null : (
            <Button size="sm" onClick={() => setAdding(true)}>
              <PlusIcon aria-hidden /> Add images
            </Button>
          )
        }
      />
    </Card>
  ) : (
    <ImagesGrid datasetId={datasetId} items={items} dimmed={images.isPlaceholderData} selected={state.selected} onToggle={state.toggle} />
  )

  return (
    <div className="flex flex-col gap-3" data-testid="dataset-images">
      <ImagesToolbar filters={state.filters} setFilter={state.setFilter} onAdd={() => setAdding(true)} />
      {state.selected.size > 0 ? (
        <ImagesBulkBar
          datasetId={datasetId}
          datasetName={datasetName}
          selected={[...state.selected]}
          canAutoAnnotate={canAutoAnnotate}
          onClear={() => state.setSelected(new Set())}
          onRemoved={() => {
            state.setSelected(new Set())
            state.setCursors([null])
          }}
        />
      ) : null}
      {grid}
      <Pager
        cursors={state.cursors}
        setCursors={state.setCursors}
        shown={items.length}
        total={images.data?.total ?? null}
        next={images.isPlaceholderData ? null : (images.data?.next_cursor ?? null)}
      />
      <AddImagesDialog datasetId={datasetId} datasetName={datasetName} open={adding} onOpenChange={setAdding} />
    </div>
  )
}
