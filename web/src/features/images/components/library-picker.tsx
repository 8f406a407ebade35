/**
 * Pick library images for a dataset (or anything else that takes image ids or a library filter):
 * tick images in a searchable grid, or take every image matching a filter.
 */
import { useState } from 'react'
import { CheckIcon, Loader2Icon } from 'lucide-react'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { SearchInput } from '@/components/ui/search-input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import { IMAGE_SOURCES, type AddImagesRequest, type ImageFilters, type ImageSource, type LibraryImage } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useDebounced } from '@/lib/use-debounced'
import { parseTags } from '../hooks/filters'
import { useImageCount, useImagePages } from '../hooks/images'
import { FolderField } from './folder-field'

const ANY = 'any'
const PAGE = 60

/** Library thumbnails to tick, with a check mark on the chosen ones. */
function ImageGrid({ images, chosen, onToggle }: { images: LibraryImage[]; chosen: ReadonlySet<number>; onToggle: (id: number) => void }) {
  return (
    <ul className="grid grid-cols-[repeat(auto-fill,minmax(6.5rem,1fr))] gap-2" aria-label="Library images">
      {images.map((image) => {
        const on = chosen.has(image.id)
        return (
          <li key={image.id}>
            <button
              type="button"
              aria-pressed={on}
              aria-label={image.filename}
              title={image.filename}
              onClick={() => onToggle(image.id)}
              className={cn(
                'relative block w-full overflow-hidden rounded-md border outline-none focus-visible:ring-2 focus-visible:ring-ring/50',
                on && 'ring-2 ring-primary',
              )}
            >
              <img src={image.thumbnail_url} alt="" loading="lazy" className="aspect-square w-full bg-muted object-cover" />
              {on ? (
                <span className="absolute top-1 right-1 flex size-5 items-center justify-center rounded-full bg-primary text-primary-foreground">
                  <CheckIcon className="size-3.5" aria-hidden />
                </span>
              ) : null}
              <span className="block truncate px-1.5 py-1 text-left text-[11px]">{image.filename}</span>
            </button>
          </li>
        )
      })}
    </ul>
  )
}

function ChooseImages({
  excludeDatasetId,
  selected,
  onSelected,
}: {
  excludeDatasetId: number | null
  selected: number[]
  onSelected: (ids: number[]) => void
}) {
  const [q, setQ] = useState('')
  const debouncedQ = useDebounced(q.trim())
  const params = { q: debouncedQ || null, not_in_dataset_id: excludeDatasetId, limit: PAGE }
  const images = useImagePages(params)
  const items = images.data?.pages.flatMap((p) => p.items) ?? []
  const total = images.data?.pages[0]?.total ?? null
  const chosen = new Set(selected)
  const toggle = (id: number) => onSelected(chosen.has(id) ? selected.filter((s) => s !== id) : [...selected, id])

  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center gap-2">
        <SearchInput
          wrapperClassName="flex-1"
          aria-label="Search library"
          placeholder="Search file names…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <Button
          variant="outline"
          size="sm"
          disabled={items.length === 0}
          onClick={() => onSelected([...new Set([...selected, ...items.map((i) => i.id)])])}
        >
          Select shown
        </Button>
        {selected.length > 0 ? (
          <Button variant="ghost" size="sm" onClick={() => onSelected([])}>
            Clear
          </Button>
        ) : null}
      </div>
      <div className="h-80 overflow-y-auto rounded-md border p-2">
        {images.isPending ? (
          <LoadingState />
        ) : images.isError ? (
          <ErrorState error={images.error} onRetry={() => void images.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState title="No images to add" description="Every matching library image is already in this dataset." />
        ) : (
          <>
            <ImageGrid images={items} chosen={chosen} onToggle={toggle} />
            {images.hasNextPage ? (
              <div className="mt-2 flex justify-center">
                <Button variant="outline" size="sm" onClick={() => void images.fetchNextPage()} disabled={images.isFetchingNextPage}>
                  {images.isFetchingNextPage ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
                  Load more
                </Button>
              </div>
            ) : null}
          </>
        )}
      </div>
      <p className="text-sm text-muted-foreground">
        {formatCount(selected.length)} selected
        {total !== null ? ` · ${formatCount(total)} library image${total === 1 ? '' : 's'} not yet in the dataset` : ''}
      </p>
    </div>
  )
}

/** The filter's fields: file name, folder, tags, source and whether images are annotated anywhere. */
function FilterFields({ filter, onFilter }: { filter: ImageFilters; onFilter: (f: ImageFilters) => void }) {
  const [tags, setTags] = useState((filter.tags ?? []).join(', '))
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="picker-q">File name contains</Label>
        <Input id="picker-q" value={filter.q ?? ''} onChange={(e) => onFilter({ ...filter, q: e.target.value || null })} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="picker-folder">Folder</Label>
        <FolderField
          id="picker-folder"
          value={filter.folder ?? ''}
          subfolders={filter.folder_prefix ?? false}
          hasFolder={Boolean(filter.folder)}
          onValue={(value) => onFilter({ ...filter, folder: value || null })}
          onSubfolders={(on) => onFilter({ ...filter, folder_prefix: on })}
        />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="picker-tags">Tags (all of)</Label>
        <Input
          id="picker-tags"
          placeholder="comma-separated"
          value={tags}
          onChange={(e) => {
            setTags(e.target.value)
            onFilter({ ...filter, tags: parseTags(e.target.value) })
          }}
        />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label>Source</Label>
        <Select
          value={filter.source ?? ANY}
          onValueChange={(v) => onFilter({ ...filter, source: v === ANY ? null : (v as ImageSource) })}
        >
          <SelectTrigger aria-label="Source">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ANY}>Any source</SelectItem>
            {IMAGE_SOURCES.map((s) => (
              <SelectItem key={s} value={s} className="capitalize">
                {s}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label>Annotations</Label>
        <Select
          value={filter.has_annotations === true ? 'yes' : filter.has_annotations === false ? 'no' : ANY}
          onValueChange={(v) => onFilter({ ...filter, has_annotations: v === ANY ? null : v === 'yes' })}
        >
          <SelectTrigger aria-label="Annotations">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ANY}>Any</SelectItem>
            <SelectItem value="yes">Annotated somewhere</SelectItem>
            <SelectItem value="no">Not annotated anywhere</SelectItem>
          </SelectContent>
        </Select>
      </div>
    </div>
  )
}

function FilterImages({
  excludeDatasetId,
  filter,
  onFilter,
}: {
  excludeDatasetId: number | null
  filter: ImageFilters
  onFilter: (f: ImageFilters) => void
}) {
  const debounced = useDebounced(filter)
  const count = useImageCount({ ...debounced, not_in_dataset_id: excludeDatasetId })
  return (
    <div className="flex flex-col gap-3">
      <FilterFields filter={filter} onFilter={onFilter} />
      <div className="rounded-md border bg-muted/30 px-3 py-2 text-sm" data-testid="picker-match-count">
        {count.isError ? (
          <span className="text-destructive">Could not count the matches.</span>
        ) : count.data ? (
          <>
            <strong className="tabular-nums">{formatCount(count.data.total ?? 0)}</strong> library image
            {count.data.total === 1 ? '' : 's'} match and are not yet in the dataset.
          </>
        ) : (
          'Counting…'
        )}
      </div>
    </div>
  )
}

export interface LibraryPickerProps {
  /** Leave out images already in this dataset. */
  excludeDatasetId: number | null
  pending: boolean
  submitLabel: (count: string) => string
  onSubmit: (request: AddImagesRequest) => void
}

export function LibraryPicker({ excludeDatasetId, pending, submitLabel, onSubmit }: LibraryPickerProps) {
  const [mode, setMode] = useState<'choose' | 'filter'>('choose')
  const [selected, setSelected] = useState<number[]>([])
  const [filter, setFilter] = useState<ImageFilters>({})
  const cleanFilter: ImageFilters = { ...filter, q: filter.q?.trim() || null, folder: filter.folder?.trim() || null }
  return (
    <Tabs value={mode} onValueChange={(v) => setMode(v === 'filter' ? 'filter' : 'choose')} data-testid="library-picker">
      <TabsList>
        <TabsTrigger value="choose">Choose images</TabsTrigger>
        <TabsTrigger value="filter">All matching a filter</TabsTrigger>
      </TabsList>
      <TabsContent value="choose">
        <ChooseImages excludeDatasetId={excludeDatasetId} selected={selected} onSelected={setSelected} />
      </TabsContent>
      <TabsContent value="filter">
        <FilterImages excludeDatasetId={excludeDatasetId} filter={filter} onFilter={setFilter} />
      </TabsContent>
      <div className="mt-4 flex justify-end">
        <Button
          disabled={pending || (mode === 'choose' && selected.length === 0)}
          onClick={() => onSubmit(mode === 'choose' ? { image_ids: selected } : { filter: cleanFilter })}
          data-testid="picker-submit"
        >
          {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
          {submitLabel(mode === 'choose' ? formatCount(selected.length) : 'all matching')}
        </Button>
      </div>
    </Tabs>
  )
}
