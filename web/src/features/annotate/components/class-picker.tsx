import { SearchIcon } from 'lucide-react'
import { useMemo, useRef, useState } from 'react'
import { Link } from 'react-router'
import { Input } from '@/components/ui/input'
import { bestMatch, searchPanel, type ClassPanel, type PanelClass } from '../hooks/class-panel'
import { cn } from '@/lib/utils'

interface ClassPickerProps {
  panel: ClassPanel
  datasetId: number
  currentClassId: number | null
  counts: ReadonlyMap<number, number>
  onPick: (classId: number) => void
}

function SectionTitle({ children }: { children: string }) {
  return <h3 className="px-2 pt-2 pb-1 text-[11px] font-medium uppercase tracking-wide text-muted-foreground">{children}</h3>
}

function ClassRow({ cls: c, current, count, onPick }: { cls: PanelClass; current: boolean; count: number; onPick: (classId: number) => void }) {
  return (
    <button
      type="button"
      role="radio"
      aria-checked={current}
      data-testid="class-option"
      onClick={() => onPick(c.id)}
      className={cn('flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-accent', current && 'bg-accent font-medium ring-1 ring-primary/30')}
    >
      <span className="size-3 shrink-0 rounded-sm" style={{ backgroundColor: c.color }} aria-hidden />
      <span className="min-w-0 flex-1 truncate">{c.name}</span>
      <span className="text-xs tabular-nums text-muted-foreground">{count}</span>
      {c.key !== null ? <kbd className="w-5 rounded border bg-muted text-center font-mono text-[10px] text-muted-foreground">{c.key}</kbd> : <span className="w-5" />}
    </button>
  )
}

/** The class search: Enter picks the best match (`onEnter`) and clears, Escape clears; both leave the field. */
function ClassSearch({
  query,
  onQuery,
  onEnter,
  onPick,
}: {
  query: string
  onQuery: (query: string) => void
  onEnter: () => PanelClass | undefined
  onPick: (classId: number) => void
}) {
  const search = useRef<HTMLInputElement>(null)
  return (
    <div className="relative">
      <SearchIcon className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-muted-foreground" aria-hidden />
      <Input
        ref={search}
        aria-label="Search classes"
        placeholder="Search classes, Enter picks"
        value={query}
        onChange={(e) => onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault()
            const match = onEnter()
            if (!match) return
            onPick(match.id)
            onQuery('')
            search.current?.blur()
          } else if (e.key === 'Escape') {
            onQuery('')
            search.current?.blur()
          }
        }}
        className="h-8 pl-7 text-sm"
      />
    </div>
  )
}

/** The dataset's label set (keys 1–9 on its first nine), then the rest of the catalogue; Enter in the search picks the best match. */
export function ClassPicker({ panel, datasetId, currentClassId, counts, onPick }: ClassPickerProps) {
  const [query, setQuery] = useState('')
  const found = useMemo(() => searchPanel(panel, query), [panel, query])
  const searching = query.trim() !== ''
  const hasSet = panel.set.length > 0
  // With a label set, the rest of the catalogue shows only when searched for.
  const others = hasSet && !searching ? [] : found.others
  const empty = panel.all.length === 0

  const row = (c: PanelClass) => <ClassRow key={c.id} cls={c} current={c.id === currentClassId} count={counts.get(c.id) ?? 0} onPick={onPick} />

  return (
    <section aria-label="Classes" className="flex min-h-0 flex-col gap-2 border-b p-3">
      <div className="flex items-center justify-between">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Class</h2>
        <Link to={`/od/datasets/${datasetId}?tab=classes`} className="text-xs text-muted-foreground underline-offset-2 hover:underline" title="Order this dataset's classes">
          {hasSet ? 'Edit label set' : 'Set up label set'}
        </Link>
      </div>
      <ClassSearch query={query} onQuery={setQuery} onEnter={() => bestMatch(panel, query)} onPick={onPick} />
      <div className="max-h-[45vh] min-h-0 overflow-y-auto" role="radiogroup" aria-label="Current class" data-testid="class-list">
        {empty ? (
          <p className="px-1 py-2 text-sm text-muted-foreground">No classes yet. Create some on the Classes page to start drawing.</p>
        ) : found.set.length === 0 && others.length === 0 ? (
          <p className="px-1 py-2 text-sm text-muted-foreground">No class matches “{query}”.</p>
        ) : (
          <>
            {found.set.length > 0 ? <SectionTitle>This dataset</SectionTitle> : null}
            {found.set.map(row)}
            {others.length > 0 ? <SectionTitle>{hasSet ? 'Other classes' : 'All classes'}</SectionTitle> : null}
            {others.map(row)}
          </>
        )}
      </div>
      {hasSet && !searching && panel.others.length > 0 ? (
        <p className="px-1 text-xs text-muted-foreground" data-testid="other-classes-hint">
          {panel.others.length} more {panel.others.length === 1 ? 'class' : 'classes'} in the catalogue: search to use one.
        </p>
      ) : null}
      {!hasSet && !empty ? (
        <p className="px-1 text-xs text-muted-foreground">This dataset has no label set yet: keys go to the first nine classes.</p>
      ) : null}
    </section>
  )
}
