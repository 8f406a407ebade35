import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import {
  ArrowDownWideNarrowIcon,
  ArrowUpNarrowWideIcon,
  ChevronLeftIcon,
  ChevronRightIcon,
  ImageIcon,
  LayoutGridIcon,
  ListIcon,
  PlusIcon,
  SearchIcon,
} from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import { SearchInput } from '@/components/ui/search-input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { useDatasetChoices } from '@/features/datasets'
import { useOdStats } from '@/features/system'
import type { ImageSortField, LibraryImage } from '@/lib/api'
import { formatCount, countOf } from '@/lib/format'
import { cn } from '@/lib/utils'
import { BulkBar, type Selection } from '../components/bulk-actions'
import { FiltersSidebar } from '../components/filters-sidebar'
import { ImageDetailSheet } from '../components/image-detail-sheet'
import { ImageGrid, ImageGridSkeleton, ImageTable } from '../components/image-views'
import { ImportDialog } from '../components/import-dialog'
import { activeFilterCount, PAGE_SIZES, useLibraryState } from '../hooks/filters'
import { useImagesPage } from '../hooks/images'

const SORT_LABELS: Record<ImageSortField, string> = {
  created_at: 'Date added',
  filename: 'File name',
  size: 'File size',
}

function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const [draft, setDraft] = useState(value)
  const [seen, setSeen] = useState(value)
  if (value !== seen) {
    setSeen(value)
    setDraft(value)
  }
  const onSearchRef = useRef(onSearch)
  useEffect(() => {
    onSearchRef.current = onSearch
  })
  useEffect(() => {
    if (draft === value) return
    const timer = window.setTimeout(() => onSearchRef.current(draft), 300)
    return () => window.clearTimeout(timer)
  }, [draft, value])
  return (
    <SearchInput
      wrapperClassName="min-w-56 flex-1"
      aria-label="Search file names"
      placeholder="Search file names…"
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onSearchRef.current(draft)
      }}
    />
  )
}

/** The size of the whole library, whatever the filters. */
function LibrarySize() {
  const stats = useOdStats()
  if (stats.isError) return null
  return (
    <span className="mr-2 text-sm text-muted-foreground">
      {stats.isPending ? (
        <Skeleton className="inline-block h-4 w-8 align-middle" />
      ) : (
        <span className="font-semibold text-foreground tabular-nums" data-testid="library-size">
          {formatCount(stats.data.images)}
        </span>
      )}{' '}
      images stored
    </span>
  )
}

export function ImagesPage() {
  const { state, update, clearFilters } = useLibraryState()
  const { filters, sort, order, view, limit } = state
  const [importOpen, setImportOpen] = useState(false)
  const [openId, setOpenId] = useState<number | null>(null)

  // Cursor-based pages: a stack of the cursors that led to each page, reset when the query changes.
  const queryKey = JSON.stringify({ filters, sort, order, limit })
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({ key: queryKey, cursors: [null] })
  const cursors = pages.key === queryKey ? pages.cursors : [null]
  const cursor = cursors[cursors.length - 1] ?? null
  const list = useImagesPage({ ...filters, sort, order, limit, cursor })
  const images = useMemo(() => list.data?.items ?? [], [list.data])
  const total = list.data?.total ?? null
  const datasets = useDatasetChoices()

  // Selection: ticked ids (kept across pages) or "every image matching the filters".
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [allMatching, setAllMatching] = useState<{ key: string } | null>(null)
  const matchingAll = allMatching?.key === queryKey
  const lastToggled = useRef<number | null>(null)
  const onToggle = useCallback(
    (id: number, shiftKey: boolean) => {
      setAllMatching(null)
      setSelected((current) => {
        const next = new Set(current)
        const anchor = lastToggled.current
        if (shiftKey && anchor !== null) {
          const ids = images.map((i) => i.id)
          const [a, b] = [ids.indexOf(anchor), ids.indexOf(id)].sort((x, y) => x - y)
          if (a >= 0 && b >= 0) {
            for (const rangeId of ids.slice(a, b + 1)) next.add(rangeId)
            return next
          }
        }
        if (next.has(id)) next.delete(id)
        else next.add(id)
        return next
      })
      lastToggled.current = id
    },
    [images],
  )
  const onOpen = useCallback((image: LibraryImage) => setOpenId(image.id), [])
  const pageIds = images.map((i) => i.id)
  const pageSelected = pageIds.length > 0 && pageIds.every((id) => selected.has(id))
  const clearSelection = () => {
    setSelected(new Set())
    setAllMatching(null)
  }
  const selection: Selection | null = matchingAll
    ? { mode: 'filter', filter: filters, count: total ?? 0 }
    : selected.size > 0
      ? { mode: 'ids', ids: [...selected] }
      : null

  const firstIndex = (cursors.length - 1) * limit
  const filtered = activeFilterCount(filters) > 0
  const libraryEmpty = !filtered && list.isSuccess && images.length === 0 && cursors.length === 1

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        className="mb-0"
        eyebrow="Object detection"
        title="Images"
        description="Every shelf photo Shelfscope stores, shared by all datasets."
        actions={
          <>
          <LibrarySize />
          <Button onClick={() => setImportOpen(true)} data-testid="open-import">
            <PlusIcon aria-hidden /> Add images
          </Button>
          </>
        }
      />

      <div className="grid items-start gap-5 lg:grid-cols-[15rem_minmax(0,1fr)]">
        <Card className="lg:sticky lg:top-4">
          <CardContent className="p-4">
            <FiltersSidebar
              filters={filters}
              datasets={datasets.data ?? []}
              onChange={(change) => update({ filters: change })}
              onClear={clearFilters}
            />
          </CardContent>
        </Card>

        <div className="flex min-w-0 flex-col gap-3">
          <div className="flex flex-wrap items-center gap-2">
            <SearchBox value={filters.q ?? ''} onSearch={(q) => update({ filters: { q: q.trim() || null } })} />
            <Select value={sort} onValueChange={(value) => update({ sort: value as ImageSortField })}>
              <SelectTrigger className="w-36" aria-label="Sort by">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {(Object.keys(SORT_LABELS) as ImageSortField[]).map((s) => (
                  <SelectItem key={s} value={s}>
                    {SORT_LABELS[s]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            <Button
              variant="outline"
              size="icon"
              aria-label={order === 'asc' ? 'Ascending; switch to descending' : 'Descending; switch to ascending'}
              onClick={() => update({ order: order === 'asc' ? 'desc' : 'asc' })}
            >
              {order === 'asc' ? <ArrowUpNarrowWideIcon aria-hidden /> : <ArrowDownWideNarrowIcon aria-hidden />}
            </Button>
            <div className="flex rounded-md border bg-card p-0.5 shadow-xs" role="group" aria-label="View">
              <Button
                variant="ghost"
                size="icon-sm"
                className={cn('size-7', view === 'grid' && 'bg-accent')}
                aria-pressed={view === 'grid'}
                aria-label="Grid view"
                onClick={() => update({ view: 'grid' })}
              >
                <LayoutGridIcon aria-hidden />
              </Button>
              <Button
                variant="ghost"
                size="icon-sm"
                className={cn('size-7', view === 'table' && 'bg-accent')}
                aria-pressed={view === 'table'}
                aria-label="Table view"
                onClick={() => update({ view: 'table' })}
              >
                <ListIcon aria-hidden />
              </Button>
            </div>
          </div>

          {selection ? (
            <BulkBar
              selection={selection}
              datasets={datasets.data ?? []}
              total={total}
              pageCount={images.length}
              onSelectAllMatching={filtered || (total ?? 0) > 0 ? () => setAllMatching({ key: queryKey }) : null}
              onClear={clearSelection}
            />
          ) : null}

          <div className="flex items-center justify-between gap-2 text-sm text-muted-foreground">
            <label className="flex items-center gap-2">
              <Checkbox
                checked={matchingAll || pageSelected}
                disabled={images.length === 0}
                aria-label="Select all on this page"
                onCheckedChange={(checked) => {
                  setAllMatching(null)
                  setSelected((current) => {
                    const next = new Set(current)
                    for (const id of pageIds) {
                      if (checked === true) next.add(id)
                      else next.delete(id)
                    }
                    return next
                  })
                }}
              />
              Select page
            </label>
            <span data-testid="image-count" aria-live="polite">
              {list.isSuccess && images.length > 0
                ? `${formatCount(firstIndex + 1)}–${formatCount(firstIndex + images.length)}${total !== null ? ` of ${formatCount(total)}` : ''}`
                : list.isSuccess && total !== null
                  ? `${countOf(total, 'image')}`
                  : null}
            </span>
          </div>

          {list.isError ? (
            <Card>
              <ErrorState error={list.error} title="Could not load images" onRetry={() => void list.refetch()} />
            </Card>
          ) : list.isPending ? (
            <ImageGridSkeleton />
          ) : libraryEmpty ? (
            <Card>
              <CardContent className="flex flex-col gap-4 p-6">
                <EmptyState
                  icon={<ImageIcon aria-hidden />}
                  title="The library is empty"
                  description="Drop shelf photos here, or use Add images to fetch them from URLs or sync from the image source."
                />
                <div className="flex justify-center">
                  <Button onClick={() => setImportOpen(true)}>
                    <PlusIcon aria-hidden /> Add images
                  </Button>
                </div>
              </CardContent>
            </Card>
          ) : images.length === 0 ? (
            <Card>
              <EmptyState
                icon={<SearchIcon aria-hidden />}
                title="No images match"
                description="Try another search or fewer filters."
                action={
                  <Button variant="outline" size="sm" onClick={clearFilters}>
                    Clear filters
                  </Button>
                }
              />
            </Card>
          ) : (
            <div className={cn('transition-opacity', list.isPlaceholderData && 'opacity-60')}>
              {view === 'grid' ? (
                <ImageGrid images={images} selected={selected} allSelected={matchingAll} onToggle={onToggle} onOpen={onOpen} />
              ) : (
                <ImageTable images={images} selected={selected} allSelected={matchingAll} onToggle={onToggle} onOpen={onOpen} />
              )}
            </div>
          )}

          <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-muted-foreground">
            <div className="flex items-center gap-2">
              <span>Per page</span>
              <Select value={String(limit)} onValueChange={(value) => update({ limit: Number(value) })}>
                <SelectTrigger className="h-8 w-20" aria-label="Images per page">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {PAGE_SIZES.map((size) => (
                    <SelectItem key={size} value={String(size)}>
                      {size}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            <div className="flex items-center gap-2">
              <span>Page {cursors.length}</span>
              <Button
                variant="outline"
                size="sm"
                disabled={cursors.length <= 1}
                onClick={() => setPages({ key: queryKey, cursors: cursors.slice(0, -1) })}
                aria-label="Previous page"
              >
                <ChevronLeftIcon aria-hidden /> Previous
              </Button>
              <Button
                variant="outline"
                size="sm"
                disabled={!list.data?.next_cursor || list.isPlaceholderData}
                onClick={() => {
                  const next = list.data?.next_cursor
                  if (next) setPages({ key: queryKey, cursors: [...cursors, next] })
                }}
                aria-label="Next page"
              >
                Next <ChevronRightIcon aria-hidden />
              </Button>
            </div>
          </div>
        </div>
      </div>

      <ImportDialog open={importOpen} onOpenChange={setImportOpen} />
      <ImageDetailSheet imageId={openId} onClose={() => setOpenId(null)} />
    </div>
  )
}
