import { useCallback, useMemo, useState } from 'react'
import { HistoryIcon, MergeIcon, PlusIcon } from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { SearchInput } from '@/components/ui/search-input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useSession } from '@/features/auth'
import type { ClassCategory, OdClass } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { ClassDialog } from '../components/class-dialog'
import { ClassesTable, type ClassDialogTarget } from '../components/classes-table'
import { DeleteClassDialog } from '../components/delete-dialog'
import { HistorySheet } from '../components/history-sheet'
import { MergeDialog } from '../components/merge-dialog'
import { useCategories, useClasses } from '../hooks/classes'

const ALL = '__all__'

function CategoryFilter({ value, onChange, categories }: { value: string | null; onChange: (category: string | null) => void; categories: readonly ClassCategory[] }) {
  return (
    <Select value={value ?? ALL} onValueChange={(v) => onChange(v === ALL ? null : v)}>
      <SelectTrigger className="w-48" aria-label="Category">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>All categories</SelectItem>
        {categories.map((c) => (
          <SelectItem key={c.category} value={c.category}>
            {c.category} ({c.classes})
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

/** The selection count with Clear, and Merge (of the selection, or pick in the dialog). */
function SelectionActions({ selected, canMerge, onClear, onMerge }: { selected: ReadonlySet<number>; canMerge: boolean; onClear: () => void; onMerge: () => void }) {
  return (
    <div className="ml-auto flex items-center gap-2">
      {selected.size > 0 ? (
        <>
          <span className="text-sm text-muted-foreground">{selected.size} selected</span>
          <Button variant="ghost" size="sm" onClick={onClear}>
            Clear
          </Button>
        </>
      ) : null}
      <Button variant="outline" onClick={onMerge} disabled={!canMerge} data-testid="merge-classes">
        <MergeIcon aria-hidden /> Merge{selected.size > 0 ? ` ${selected.size}` : ''}…
      </Button>
    </div>
  )
}

/** The open dialog or sheet: create/edit, merge, delete, or history. */
function ClassDialogs({
  dialog,
  classes,
  categories,
  isAdmin,
  onClose,
  onMerged,
}: {
  dialog: ClassDialogTarget | null
  classes: OdClass[]
  categories: ClassCategory[]
  isAdmin: boolean
  onClose: () => void
  onMerged: () => void
}) {
  return (
    <>
      {dialog?.kind === 'create' || dialog?.kind === 'edit' ? (
        <ClassDialog existing={dialog.kind === 'edit' ? dialog.cls : null} categories={categories} onClose={onClose} />
      ) : null}
      {dialog?.kind === 'merge' ? <MergeDialog classes={classes} initialSources={dialog.sources} canMerge={isAdmin} onClose={onMerged} /> : null}
      {dialog?.kind === 'delete' ? <DeleteClassDialog target={dialog.cls} classes={classes} canDelete={isAdmin} onClose={onClose} /> : null}
      <HistorySheet
        open={dialog?.kind === 'history'}
        classId={dialog?.kind === 'history' ? (dialog.cls?.id ?? null) : null}
        title={dialog?.kind === 'history' && dialog.cls ? `History of ${dialog.cls.name}` : 'Class history'}
        onClose={onClose}
      />
    </>
  )
}

function PageActions({ onOpen }: { onOpen: (dialog: ClassDialogTarget) => void }) {
  return (
    <>
      <Button variant="outline" onClick={() => onOpen({ kind: 'history', cls: null })}>
        <HistoryIcon aria-hidden /> History
      </Button>
      <Button onClick={() => onOpen({ kind: 'create' })} data-testid="new-class">
        <PlusIcon aria-hidden /> New class
      </Button>
    </>
  )
}

export function ClassesPage() {
  const [q, setQ] = useState('')
  const [category, setCategory] = useState<string | null>(null)
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [dialog, setDialog] = useState<ClassDialogTarget | null>(null)
  const list = useClasses({ q: q.trim() || null, category })
  const all = useClasses({})
  const categories = useCategories()
  const session = useSession()
  const classes = useMemo(() => list.data?.items ?? [], [list.data])
  const allClasses = all.data?.items ?? classes
  const toggle = useCallback((id: number, on: boolean) => {
    setSelected((current) => {
      const next = new Set(current)
      if (on) next.add(id)
      else next.delete(id)
      return next
    })
  }, [])

  return (
    <div>
      <PageHeader
        eyebrow="Object detection"
        title="Classes"
        description="The detection classes every dataset shares: colours, categories and aliases. Renames, merges and deletes are kept in the history."
        actions={<PageActions onOpen={setDialog} />}
      />
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <SearchInput
          wrapperClassName="min-w-56 flex-1 sm:max-w-sm"
          aria-label="Search classes"
          placeholder="Search names and aliases…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <CategoryFilter value={category} onChange={setCategory} categories={categories.data ?? []} />
        <SelectionActions
          selected={selected}
          canMerge={allClasses.length >= 2}
          onClear={() => setSelected(new Set())}
          onMerge={() => setDialog({ kind: 'merge', sources: [...selected] })}
        />
      </div>
      <Card className="overflow-hidden">
        {list.isError ? (
          <ErrorState error={list.error} title="Could not load classes" onRetry={() => void list.refetch()} />
        ) : (
          <ClassesTable
            classes={classes}
            pending={list.isPending}
            stale={list.isPlaceholderData}
            filtered={q.trim() !== '' || category !== null}
            selected={selected}
            onToggle={toggle}
            onOpen={setDialog}
          />
        )}
      </Card>
      {list.isSuccess && classes.length > 0 ? (
        <p className="mt-3 text-sm text-muted-foreground">
          {formatCount(classes.length)}
          {list.data.total !== null && list.data.total !== classes.length ? ` of ${formatCount(list.data.total)}` : ''} classes
        </p>
      ) : null}
      <ClassDialogs
        dialog={dialog}
        classes={allClasses}
        categories={categories.data ?? []}
        isAdmin={session.data?.user.role === 'admin'}
        onClose={() => setDialog(null)}
        onMerged={() => {
          setDialog(null)
          setSelected(new Set())
        }}
      />
    </div>
  )
}
