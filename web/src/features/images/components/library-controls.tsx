/** The library page's controls around the results: sort and view, the page-selection row, and paging. */
import { ArrowDownWideNarrowIcon, ArrowUpNarrowWideIcon, ChevronLeftIcon, ChevronRightIcon, LayoutGridIcon, ListIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import type { ImageSortField, SortOrder } from '@/lib/api'
import { countOf, formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'
import { PAGE_SIZES, type LibraryView } from '../hooks/filters'

const SORT_LABELS: Record<ImageSortField, string> = {
  created_at: 'Date added',
  filename: 'File name',
  size: 'File size',
}

function ViewToggle({ view, onView }: { view: LibraryView; onView: (view: LibraryView) => void }) {
  return (
    <div className="flex rounded-md border bg-card p-0.5 shadow-xs" role="group" aria-label="View">
      <Button
        variant="ghost"
        size="icon-sm"
        className={cn('size-7', view === 'grid' && 'bg-accent')}
        aria-pressed={view === 'grid'}
        aria-label="Grid view"
        onClick={() => onView('grid')}
      >
        <LayoutGridIcon aria-hidden />
      </Button>
      <Button
        variant="ghost"
        size="icon-sm"
        className={cn('size-7', view === 'table' && 'bg-accent')}
        aria-pressed={view === 'table'}
        aria-label="Table view"
        onClick={() => onView('table')}
      >
        <ListIcon aria-hidden />
      </Button>
    </div>
  )
}

/** Sort field, order and grid/table view. */
export function SortAndView({
  sort,
  order,
  view,
  onChange,
}: {
  sort: ImageSortField
  order: SortOrder
  view: LibraryView
  onChange: (change: { sort?: ImageSortField; order?: SortOrder; view?: LibraryView }) => void
}) {
  return (
    <>
      <Select value={sort} onValueChange={(value) => onChange({ sort: value as ImageSortField })}>
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
        onClick={() => onChange({ order: order === 'asc' ? 'desc' : 'asc' })}
      >
        {order === 'asc' ? <ArrowUpNarrowWideIcon aria-hidden /> : <ArrowDownWideNarrowIcon aria-hidden />}
      </Button>
      <ViewToggle view={view} onView={(v) => onChange({ view: v })} />
    </>
  )
}

/** "Select page", and which images of how many are shown ("25–48 of 130"). */
export function PageSelectionRow({
  checked,
  disabled,
  onCheck,
  shown,
}: {
  checked: boolean
  disabled: boolean
  onCheck: (on: boolean) => void
  /** First index (0-based), how many are on the page, the total if known; null while loading. */
  shown: { first: number; count: number; total: number | null } | null
}) {
  let text: string | null = null
  if (shown && shown.count > 0) {
    text = `${formatCount(shown.first + 1)}–${formatCount(shown.first + shown.count)}${shown.total !== null ? ` of ${formatCount(shown.total)}` : ''}`
  } else if (shown && shown.total !== null) text = countOf(shown.total, 'image')
  return (
    <div className="flex items-center justify-between gap-2 text-sm text-muted-foreground">
      <label className="flex items-center gap-2">
        <Checkbox checked={checked} disabled={disabled} aria-label="Select all on this page" onCheckedChange={(on) => onCheck(on === true)} />
        Select page
      </label>
      <span data-testid="image-count" aria-live="polite">
        {text}
      </span>
    </div>
  )
}

/** Images per page, and Previous / Next through the cursor pages. */
export function PageControls({
  limit,
  onLimit,
  page,
  onBack,
  onNext,
}: {
  limit: number
  onLimit: (limit: number) => void
  page: number
  onBack: () => void
  /** null while there is no next page (or it is not known yet). */
  onNext: (() => void) | null
}) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-muted-foreground">
      <div className="flex items-center gap-2">
        <span>Per page</span>
        <Select value={String(limit)} onValueChange={(value) => onLimit(Number(value))}>
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
        <span>Page {page}</span>
        <Button variant="outline" size="sm" disabled={page <= 1} onClick={onBack} aria-label="Previous page">
          <ChevronLeftIcon aria-hidden /> Previous
        </Button>
        <Button variant="outline" size="sm" disabled={onNext === null} onClick={() => onNext?.()} aria-label="Next page">
          Next <ChevronRightIcon aria-hidden />
        </Button>
      </div>
    </div>
  )
}
