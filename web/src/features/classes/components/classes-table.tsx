/** The classes table: its columns (selection, name, colour, category, aliases, counts, actions) and its states. */
import { useMemo } from 'react'
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { HistoryIcon, MergeIcon, MoreHorizontalIcon, PencilIcon, PlusIcon, TagsIcon, Trash2Icon } from 'lucide-react'
import { DataTableHeader } from '@/components/data-table-header'
import { EmptyState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableRow } from '@/components/ui/table'
import type { OdClass } from '@/lib/api'
import { formatCount, formatRelative } from '@/lib/format'
import { cn } from '@/lib/utils'
import { ColorSwatch } from './color-field'

/** The dialog the page opens: from a row's menu, the toolbar or the empty state. */
export type ClassDialogTarget =
  | { kind: 'create' }
  | { kind: 'edit'; cls: OdClass }
  | { kind: 'merge'; sources: number[] }
  | { kind: 'delete'; cls: OdClass }
  | { kind: 'history'; cls: OdClass | null }

const column = createColumnHelper<OdClass>()
const none = <span className="text-muted-foreground">—</span>

function NameCell({ cls }: { cls: OdClass }) {
  return (
    <div className="flex items-center gap-2.5">
      <ColorSwatch color={cls.color} className="size-4" />
      <div className="flex min-w-0 flex-col">
        <span className="font-medium" data-testid="class-name">
          {cls.name}
        </span>
        {cls.display_name && cls.display_name !== cls.name ? <span className="text-xs text-muted-foreground">{cls.display_name}</span> : null}
      </div>
    </div>
  )
}

function AliasesCell({ aliases }: { aliases: readonly string[] }) {
  if (aliases.length === 0) return none
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
}

function ActionsMenu({ cls, onOpen }: { cls: OdClass; onOpen: (dialog: ClassDialogTarget) => void }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${cls.name}`}>
          <MoreHorizontalIcon aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuItem onSelect={() => onOpen({ kind: 'edit', cls })}>
          <PencilIcon aria-hidden /> Edit or rename
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => onOpen({ kind: 'history', cls })}>
          <HistoryIcon aria-hidden /> History
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => onOpen({ kind: 'merge', sources: [cls.id] })}>
          <MergeIcon aria-hidden /> Merge into…
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem className="text-destructive" onSelect={() => onOpen({ kind: 'delete', cls })}>
          <Trash2Icon aria-hidden /> Delete
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  )
}

interface ColumnOptions {
  selected: ReadonlySet<number>
  onToggle: (id: number, on: boolean) => void
  onOpen: (dialog: ClassDialogTarget) => void
}

function classColumns({ selected, onToggle, onOpen }: ColumnOptions) {
  return [
    column.display({
      id: 'select',
      header: () => <span className="sr-only">Select</span>,
      cell: (info) => (
        <Checkbox
          checked={selected.has(info.row.original.id)}
          aria-label={`Select ${info.row.original.name}`}
          onCheckedChange={(checked) => onToggle(info.row.original.id, checked === true)}
        />
      ),
    }),
    column.accessor('name', { header: 'Class', cell: (info) => <NameCell cls={info.row.original} /> }),
    column.accessor('color', {
      header: 'Colour',
      cell: (info) => <span className="font-mono text-xs text-muted-foreground">{info.getValue()}</span>,
    }),
    column.accessor('category', {
      header: 'Category',
      cell: (info) => (info.getValue() ? <Badge variant="secondary">{info.getValue()}</Badge> : none),
    }),
    column.accessor('aliases', { header: 'Aliases', cell: (info) => <AliasesCell aliases={info.getValue()} /> }),
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
      cell: (info) => <ActionsMenu cls={info.row.original} onOpen={onOpen} />,
    }),
  ]
}

function NoClasses({ filtered, onCreate }: { filtered: boolean; onCreate: () => void }) {
  return (
    <EmptyState
      icon={<TagsIcon aria-hidden />}
      title={filtered ? 'No classes match' : 'No classes yet'}
      description={filtered ? 'Try another name or category.' : 'Create the products and shelf objects you want to detect; every dataset shares them.'}
      action={
        filtered ? null : (
          <Button size="sm" onClick={onCreate}>
            <PlusIcon aria-hidden /> New class
          </Button>
        )
      }
    />
  )
}

export function ClassesTable({
  classes,
  pending,
  stale,
  filtered,
  ...options
}: ColumnOptions & { classes: OdClass[]; pending: boolean; stale: boolean; filtered: boolean }) {
  const { selected, onToggle, onOpen } = options
  const columns = useMemo(() => classColumns({ selected, onToggle, onOpen }), [selected, onToggle, onOpen])
  const table = useReactTable({ data: classes, columns, getCoreRowModel: getCoreRowModel(), getRowId: (cls) => String(cls.id) })
  let body
  if (pending) {
    body = Array.from({ length: 5 }, (_, i) => (
      <TableRow key={i}>
        {columns.map((_, j) => (
          <TableCell key={j}>
            <Skeleton className="h-4 w-full max-w-28" />
          </TableCell>
        ))}
      </TableRow>
    ))
  } else if (classes.length === 0) {
    body = (
      <TableRow className="hover:bg-transparent">
        <TableCell colSpan={columns.length}>
          <NoClasses filtered={filtered} onCreate={() => onOpen({ kind: 'create' })} />
        </TableCell>
      </TableRow>
    )
  } else {
    body = table.getRowModel().rows.map((row) => (
      <TableRow key={row.id} data-testid="class-row" data-class-name={row.original.name} data-state={selected.has(row.original.id) ? 'selected' : undefined}>
        {row.getVisibleCells().map((cell) => (
          <TableCell key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</TableCell>
        ))}
      </TableRow>
    ))
  }
  return (
    <Table aria-label="Classes" data-testid="classes-table" className={cn(stale && 'opacity-60')}>
      <DataTableHeader table={table} />
      <TableBody>{body}</TableBody>
    </Table>
  )
}
