import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { ImageIcon, PlusIcon, SearchIcon } from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent } from '@/components/ui/card'
import { SearchInput } from '@/components/ui/search-input'
import { Skeleton } from '@/components/ui/skeleton'
import { useDatasetChoices } from '@/features/datasets'
import { useOdStats } from '@/features/system'
import type { LibraryImage } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'
import { BulkBar } from '../components/bulk-actions'
import { FiltersSidebar } from '../components/filters-sidebar'
import { ImageDetailSheet } from '../components/image-detail-sheet'
import { ImageGrid, ImageGridSkeleton, ImageTable, type ImageViewProps } from '../components/image-views'
import { ImportDialog } from '../components/import-dialog'
import { PageControls, PageSelectionRow, SortAndView } from '../components/library-controls'
import { activeFilterCount, useLibraryState, type LibraryView } from '../hooks/filters'
import { useImagesPage } from '../hooks/images'
import { useCursorPages, useLibrarySelection } from '../hooks/library-page'

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

function LibraryHeader({ onAdd }: { onAdd: () => void }) {
  return (
    <PageHeader
      className="mb-0"
      eyebrow="Object detection"
      title="Images"
      description="Every shelf photo Shelfscope stores, shared by all datasets."
      actions={
        <>
          <LibrarySize />
          <Button onClick={onAdd} data-testid="open-import">
            <PlusIcon aria-hidden /> Add images
          </Button>
        </>
      }
    />
  )
}

function EmptyLibrary({ onAdd }: { onAdd: () => void }) {
  return (
    <Card>
      <CardContent className="flex flex-col gap-4 p-6">
        <EmptyState
          icon={<ImageIcon aria-hidden />}
          title="The library is empty"
          description="Drop shelf photos here, or use Add images to fetch them from URLs or sync from the image source."
        />
        <div className="flex justify-center">
          <Button onClick={onAdd}>
            <PlusIcon aria-hidden /> Add images
          </Button>
        </div>
      </CardContent>
    </Card>
  )
}

function NoMatches({ onClear }: { onClear: () => void }) {
  return (
    <Card>
      <EmptyState
        icon={<SearchIcon aria-hidden />}
        title="No images match"
        description="Try another search or fewer filters."
        action={
          <Button variant="outline" size="sm" onClick={onClear}>
            Clear filters
          </Button>
        }
      />
    </Card>
  )
}

/** The page of images as a grid or a table, or why there is none. */
function LibraryResults({
  list,
  view,
  libraryEmpty,
  onAdd,
  onClearFilters,
  ...viewProps
}: ImageViewProps & {
  list: ReturnType<typeof useImagesPage>
  view: LibraryView
  libraryEmpty: boolean
  onAdd: () => void
  onClearFilters: () => void
}) {
  if (list.isError) {
    return (
      <Card>
        <ErrorState error={list.error} title="Could not load images" onRetry={() => void list.refetch()} />
      </Card>
    )
  }
  if (list.isPending) return <ImageGridSkeleton />
  if (libraryEmpty) return <EmptyLibrary onAdd={onAdd} />
  if (viewProps.images.length === 0) return <NoMatches onClear={onClearFilters} />
  return (
    <div className={cn('transition-opacity', list.isPlaceholderData && 'opacity-60')}>
      {view === 'grid' ? <ImageGrid {...viewProps} /> : <ImageTable {...viewProps} />}
    </div>
  )
}

export function ImagesPage() {
  const { state, update, clearFilters } = useLibraryState()
  const { filters, sort, order, view, limit } = state
  const [importOpen, setImportOpen] = useState(false)
  const [openId, setOpenId] = useState<number | null>(null)
  const queryKey = JSON.stringify({ filters, sort, order, limit })
  const pages = useCursorPages(queryKey)
  const list = useImagesPage({ ...filters, sort, order, limit, cursor: pages.cursor })
  const images = useMemo(() => list.data?.items ?? [], [list.data])
  const total = list.data?.total ?? null
  const datasets = useDatasetChoices()
  const selection = useLibrarySelection(images, queryKey, filters, total)
  const onOpen = useCallback((image: LibraryImage) => setOpenId(image.id), [])
  const filtered = activeFilterCount(filters) > 0
  const next = list.data?.next_cursor

  return (
    <div className="flex flex-col gap-4">
      <LibraryHeader onAdd={() => setImportOpen(true)} />
      <div className="grid items-start gap-5 lg:grid-cols-[15rem_minmax(0,1fr)]">
        <Card className="lg:sticky lg:top-4">
          <CardContent className="p-4">
            <FiltersSidebar filters={filters} datasets={datasets.data ?? []} onChange={(change) => update({ filters: change })} onClear={clearFilters} />
          </CardContent>
        </Card>
        <div className="flex min-w-0 flex-col gap-3">
          <div className="flex flex-wrap items-center gap-2">
            <SearchBox value={filters.q ?? ''} onSearch={(q) => update({ filters: { q: q.trim() || null } })} />
            <SortAndView sort={sort} order={order} view={view} onChange={update} />
          </div>
          {selection.selection ? (
            <BulkBar
              selection={selection.selection}
              datasets={datasets.data ?? []}
              total={total}
              pageCount={images.length}
              onSelectAllMatching={filtered || (total ?? 0) > 0 ? selection.selectAllMatching : null}
              onClear={selection.clear}
            />
          ) : null}
          <PageSelectionRow
            checked={selection.matchingAll || selection.pageSelected}
            disabled={images.length === 0}
            onCheck={selection.togglePage}
            shown={list.isSuccess ? { first: (pages.page - 1) * limit, count: images.length, total } : null}
          />
          <LibraryResults
            list={list}
            view={view}
            libraryEmpty={!filtered && list.isSuccess && images.length === 0 && pages.page === 1}
            onAdd={() => setImportOpen(true)}
            onClearFilters={clearFilters}
            images={images}
            selected={selection.selected}
            allSelected={selection.matchingAll}
            onToggle={selection.onToggle}
            onOpen={onOpen}
          />
          <PageControls
            limit={limit}
            onLimit={(value) => update({ limit: value })}
            page={pages.page}
            onBack={pages.back}
            onNext={next && !list.isPlaceholderData ? () => pages.forward(next) : null}
          />
        </div>
      </div>
      <ImportDialog open={importOpen} onOpenChange={setImportOpen} />
      <ImageDetailSheet imageId={openId} onClose={() => setOpenId(null)} />
    </div>
  )
}
