import { useMemo, useState } from 'react'
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import {
  HistoryIcon,
  MergeIcon,
  MoreHorizontalIcon,
  PencilIcon,
  PlusIcon,
  TagsIcon,
  Trash2Icon,
} from 'lucide-react'
import { DataTableHeader } from '@/components/data-table-header'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { SearchInput } from '@/components/ui/search-input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableRow } from '@/components/ui/table'
import { useSession } from '@/features/auth'
import type { OdClass } from '@/lib/api'
import { formatCount, formatRelative } from '@/lib/format'
import { cn } from '@/lib/utils'
import { ClassDialog } from '../components/class-dialog'
import { ColorSwatch } from '../components/color-field'
import { DeleteClassDialog } from '../components/delete-dialog'
import { HistorySheet } from '../components/history-sheet'
import { MergeDialog } from '../components/merge-dialog'
import { useCategories, useClasses } from '../hooks/classes'

const ALL = '__all__'
const column = createColumnHelper<OdClass>()

type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; cls: OdClass }
  | { kind: 'merge'; sources: number[] }
  | { kind: 'delete'; cls: OdClass }
  | { kind: 'history'; cls: OdClass | null }

export function ClassesPage() {
  const [q, setQ] = useState('')
  const [category, setCategory] = useState<string | null>(null)
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const list = useClasses({ q: q.trim() || null, category })
  const all = useClasses({})
  const categories = useCategories()
  const session = useSession()
  const isAdmin = session.data?.user.role === 'admin'
  const classes = useMemo(() => list.data?.items ?? [], [list.data])
  const allClasses = all.data?.items ?? classes

  const columns = useMemo(
    () => [
      column.display({
        id: 'select',
        header: () => <span className="sr-only">Select</span>,
        cell: (info) => (
          <Checkbox
            checked={selected.has(info.row.original.id)}
            aria-label={`Select ${info.row.original.name}`}
            onCheckedChange={(checked) =>
              setSelected((current) => {
                const next = new Set(current)
                if (checked === true) next.add(info.row.original.id)
                else next.delete(info.row.original.id)
                return next
              })
            }
          />
        ),
      }),
      column.accessor('name', {
        header: 'Class',
        cell: (info) => {
          const cls = info.row.original
          return (
            <div className="flex items-center gap-2.5">
              <ColorSwatch color={cls.color} className="size-4" />
              <div className="flex min-w-0 flex-col">
                <span className="font-medium" data-testid="class-name">
                  {cls.name}
                </span>
                {cls.display_name && cls.display_name !== cls.name ? (
                  <span className="text-xs text-muted-foreground">{cls.display_name}</span>
                ) : null}
              </div>
            </div>
          )
        },
      }),
      column.accessor('color', {
        header: 'Colour',
        cell: (info) => <span className="font-mono text-xs text-muted-foreground">{info.getValue()}</span>,
      }),
      column.accessor('category', {
        header: 'Category',
        cell: (info) =>
          info.getValue() ? <Badge variant="secondary">{info.getValue()}</Badge> : <span className="text-muted-foreground">—</span>,
      }),
      column.accessor('aliases', {
        header: 'Aliases',
        cell: (info) => {
          const aliases = info.getValue()
          if (aliases.length === 0) return <span className="text-muted-foreground">—</span>
          return (
            <div className="flex max-w-64 flex-wrap gap-1" data-testid="class-aliases">
              {aliases.slice(0, 3).map((a) => (
                <Badge key={a} variant="outline" className="font-normal">
                  {a}
                </Badge>
              ))}
              {aliases.length > 3 ? <span className="text-xs text-muted-foreground">+{aliases.length - 3}</span> : null}
            </div>
          )
        },
      }),
      column.accessor('annotation_count', {
        header: () => <span className="block text-right">Annotations</span>,
        cell: (info) => (
          <span className="block text-right tabular-nums" data-testid="class-annotations">
            {formatCount(info.getValue())}
          </span>
        ),
      }),
      column.accessor('updated_at', {
        header: 'Updated',
        cell: (info) => <span className="text-muted-foreground">{formatRelative(info.getValue())}</span>,
      }),
      column.display({
        id: 'actions',
        header: () => <span className="sr-only">Actions</span>,
        cell: (info) => {
          const cls = info.row.original
          return (
            <DropdownMenu>
              <DropdownMenuTrigger asChild>
                <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${cls.name}`}>
                  <MoreHorizontalIcon aria-hidden />
                </Button>
              </DropdownMenuTrigger>
              <DropdownMenuContent align="end">
                <DropdownMenuItem onSelect={() => setDialog({ kind: 'edit', cls })}>
                  <PencilIcon aria-hidden /> Edit or rename
                </DropdownMenuItem>
                <DropdownMenuItem onSelect={() => setDialog({ kind: 'history', cls })}>
                  <HistoryIcon aria-hidden /> History
                </DropdownMenuItem>
                <DropdownMenuItem onSelect={() => setDialog({ kind: 'merge', sources: [cls.id] })}>
                  <MergeIcon aria-hidden /> Merge into…
                </DropdownMenuItem>
                <DropdownMenuSeparator />
                <DropdownMenuItem className="text-destructive" onSelect={() => setDialog({ kind: 'delete', cls })}>
                  <Trash2Icon aria-hidden /> Delete
                </DropdownMenuItem>
              </DropdownMenuContent>
            </DropdownMenu>
          )
        },
      }),
    ],
    [selected],
  )
  const table = useReactTable({
    data: classes,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (cls) => String(cls.id),
  })
  const filtered = q.trim() !== '' || category !== null
  const closeDialog = () => setDialog(null)

  return (
    <div>
      <PageHeader
        eyebrow="Object detection"
        title="Classes"
        description="The detection classes every dataset shares: colours, categories and aliases. Renames, merges and deletes are kept in the history."
        actions={
          <>
            <Button variant="outline" onClick={() => setDialog({ kind: 'history', cls: null })}>
              <HistoryIcon aria-hidden /> History
            </Button>
            <Button onClick={() => setDialog({ kind: 'create' })} data-testid="new-class">
              <PlusIcon aria-hidden /> New class
            </Button>
          </>
        }
      />

      <div className="mb-3 flex flex-wrap items-center gap-2">
        <SearchInput
          wrapperClassName="min-w-56 flex-1 sm:max-w-sm"
          aria-label="Search classes"
          placeholder="Search names and aliases…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <Select value={category ?? ALL} onValueChange={(v) => setCategory(v === ALL ? null : v)}>
          <SelectTrigger className="w-48" aria-label="Category">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All categories</SelectItem>
            {(categories.data ?? []).map((c) => (
              <SelectItem key={c.category} value={c.category}>
                {c.category} ({c.classes})
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <div className="ml-auto flex items-center gap-2">
          {selected.size > 0 ? (
            <>
              <span className="text-sm text-muted-foreground">{selected.size} selected</span>
              <Button variant="ghost" size="sm" onClick={() => setSelected(new Set())}>
                Clear
              </Button>
            </>
          ) : null}
          <Button
            variant="outline"
            onClick={() => setDialog({ kind: 'merge', sources: [...selected] })}
            disabled={allClasses.length < 2}
            data-testid="merge-classes"
          >
            <MergeIcon aria-hidden /> Merge{selected.size > 0 ? ` ${selected.size}` : ''}…
          </Button>
        </div>
      </div>

      <Card className="overflow-hidden">
        {list.isError ? (
          <ErrorState error={list.error} title="Could not load classes" onRetry={() => void list.refetch()} />
        ) : (
          <Table aria-label="Classes" data-testid="classes-table" className={cn(list.isPlaceholderData && 'opacity-60')}>
            <DataTableHeader table={table} />
            <TableBody>
              {list.isPending ? (
                Array.from({ length: 5 }, (_, i) => (
                  <TableRow key={i}>
                    {columns.map((_, j) => (
                      <TableCell key={j}>
                        <Skeleton className="h-4 w-full max-w-28" />
                      </TableCell>
                    ))}
                  </TableRow>
                ))
              ) : classes.length === 0 ? (
                <TableRow className="hover:bg-transparent">
                  <TableCell colSpan={columns.length}>
                    <EmptyState
                      icon={<TagsIcon aria-hidden />}
                      title={filtered ? 'No classes match' : 'No classes yet'}
                      description={
                        filtered
                          ? 'Try another name or category.'
                          : 'Create the products and shelf objects you want to detect; every dataset shares them.'
                      }
                      action={
                        filtered ? null : (
                          <Button size="sm" onClick={() => setDialog({ kind: 'create' })}>
                            <PlusIcon aria-hidden /> New class
                          </Button>
                        )
                      }
                    />
                  </TableCell>
                </TableRow>
              ) : (
                table.getRowModel().rows.map((row) => (
                  <TableRow
                    key={row.id}
                    data-testid="class-row"
                    data-class-name={row.original.name}
                    data-state={selected.has(row.original.id) ? 'selected' : undefined}
                  >
                    {row.getVisibleCells().map((cell) => (
                      <TableCell key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</TableCell>
                    ))}
                  </TableRow>
                ))
              )}
            </TableBody>
          </Table>
        )}
      </Card>
      {list.isSuccess && classes.length > 0 ? (
        <p className="mt-3 text-sm text-muted-foreground">
          {formatCount(classes.length)}
          {list.data.total !== null && list.data.total !== classes.length ? ` of ${formatCount(list.data.total)}` : ''} classes
        </p>
      ) : null}

      {dialog?.kind === 'create' || dialog?.kind === 'edit' ? (
        <ClassDialog
          existing={dialog.kind === 'edit' ? dialog.cls : null}
          categories={categories.data ?? []}
          onClose={closeDialog}
        />
      ) : null}
      {dialog?.kind === 'merge' ? (
        <MergeDialog
          classes={allClasses}
          initialSources={dialog.sources}
          canMerge={isAdmin}
          onClose={() => {
            closeDialog()
            setSelected(new Set())
          }}
        />
      ) : null}
      {dialog?.kind === 'delete' ? (
        <DeleteClassDialog target={dialog.cls} classes={allClasses} canDelete={isAdmin} onClose={closeDialog} />
      ) : null}
      <HistorySheet
        open={dialog?.kind === 'history'}
        classId={dialog?.kind === 'history' ? (dialog.cls?.id ?? null) : null}
        title={dialog?.kind === 'history' && dialog.cls ? `History of ${dialog.cls.name}` : 'Class history'}
        onClose={closeDialog}
      />
    </div>
  )
}
