import { SearchIcon } from 'lucide-react'
import { useMemo, useState } from 'react'
import { Input } from '@/components/ui/input'
import { cn } from '@/lib/utils'
import type { ClassInfo } from '@/editor/engine'

interface ClassPickerProps {
  classes: readonly ClassInfo[]
  currentClassId: number | null
  counts: ReadonlyMap<number, number>
  onPick: (classId: number) => void
}

/** The classes with their colours; the first nine answer to keys 1–9. */
export function ClassPicker({ classes, currentClassId, counts, onPick }: ClassPickerProps) {
  const [query, setQuery] = useState('')
  const filtered = useMemo(() => {
    const q = query.trim().toLowerCase()
    return classes.map((c, index) => ({ c, index })).filter(({ c }) => !q || c.name.toLowerCase().includes(q))
  }, [classes, query])

  return (
    <section aria-label="Classes" className="flex flex-col gap-2 border-b p-3">
      <div className="flex items-center justify-between">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Class</h2>
        <span className="text-xs text-muted-foreground">keys 1–9</span>
      </div>
      <div className="relative">
        <SearchIcon className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-muted-foreground" aria-hidden />
        <Input
          aria-label="Search classes"
          placeholder="Search classes"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="h-8 pl-7 text-sm"
        />
      </div>
      <div className="max-h-52 overflow-y-auto" role="radiogroup" aria-label="Current class">
        {classes.length === 0 ? (
          <p className="px-1 py-2 text-sm text-muted-foreground">No classes yet. Create some on the Classes page to start drawing.</p>
        ) : filtered.length === 0 ? (
          <p className="px-1 py-2 text-sm text-muted-foreground">No class matches “{query}”.</p>
        ) : (
          filtered.map(({ c, index }) => (
            <button
              key={c.id}
              type="button"
              role="radio"
              aria-checked={c.id === currentClassId}
              data-testid="class-option"
              onClick={() => onPick(c.id)}
              className={cn(
                'flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-accent',
                c.id === currentClassId && 'bg-accent font-medium ring-1 ring-primary/30',
              )}
            >
              <span className="size-3 shrink-0 rounded-sm" style={{ backgroundColor: c.color }} aria-hidden />
              <span className="min-w-0 flex-1 truncate">{c.name}</span>
              <span className="text-xs tabular-nums text-muted-foreground">{counts.get(c.id) ?? 0}</span>
              {index < 9 ? (
                <kbd className="w-5 rounded border bg-muted text-center font-mono text-[10px] text-muted-foreground">{index + 1}</kbd>
              ) : (
                <span className="w-5" />
              )}
            </button>
          ))
        )}
      </div>
    </section>
  )
}
