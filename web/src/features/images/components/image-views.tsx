import { useMemo } from 'react'
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { FolderIcon } from 'lucide-react'
import { DataTableHeader } from '@/components/data-table-header'
import { Badge } from '@/components/ui/badge'
import { Checkbox } from '@/components/ui/checkbox'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableRow } from '@/components/ui/table'
import type { LibraryImage } from '@/lib/api'
import { formatBytes, formatDateTime, formatRelative } from '@/lib/format'
import { cn } from '@/lib/utils'

export interface ImageViewProps {
  images: LibraryImage[]
  selected: ReadonlySet<number>
  allSelected: boolean
  onToggle: (id: number, shiftKey: boolean) => void
  onOpen: (image: LibraryImage) => void
}

function Tags({ tags, max = 3 }: { tags: string[]; max?: number }) {
  if (tags.length === 0) return null
  return (
    <div className="flex flex-wrap gap-1">
      {tags.slice(0, max).map((tag) => (
        <Badge key={tag} variant="secondary" className="px-1.5 py-0 text-[11px]">
          {tag}
        </Badge>
      ))}
      {tags.length > max ? <span className="text-[11px] text-muted-foreground">+{tags.length - max}</span> : null}
    </div>
  )
}

export function ImageGrid({ images, selected, allSelected, onToggle, onOpen }: ImageViewProps) {
  return (
    <ul
      className="grid grid-cols-[repeat(auto-fill,minmax(11rem,1fr))] gap-3"
      aria-label="Images"
      data-testid="image-grid"
    >
      {images.map((image) => {
        const isSelected = allSelected || selected.has(image.id)
        return (
          <li
            key={image.id}
            data-testid="image-card"
            data-image-id={image.id}
            data-selected={isSelected}
            className={cn(
              'group relative overflow-hidden rounded-lg border bg-card shadow-xs transition-shadow hover:shadow-md',
              isSelected && 'ring-2 ring-primary',
            )}
          >
            <button
              type="button"
              className="block w-full text-left outline-none focus-visible:ring-2 focus-visible:ring-ring/50"
              onClick={(event) => {
                if (event.shiftKey || event.metaKey || event.ctrlKey) onToggle(image.id, event.shiftKey)
                else onOpen(image)
              }}
              aria-label={`Open ${image.filename}`}
            >
              <div className="aspect-[4/3] bg-muted">
                <img
                  src={image.thumbnail_url}
                  alt=""
                  loading="lazy"
                  decoding="async"
                  className="size-full object-cover"
                  draggable={false}
                />
              </div>
              <div className="flex flex-col gap-1 p-2.5">
                <p className="truncate text-sm font-medium" title={image.filename}>
                  {image.filename}
                </p>
                <p className="flex items-center gap-1 truncate text-xs text-muted-foreground">
                  <span className="tabular-nums">
                    {image.width}×{image.height}
                  </span>
                  {image.folder ? (
                    <>
                      <span aria-hidden>·</span>
                      <FolderIcon className="size-3 shrink-0" aria-hidden />
                      <span className="truncate">{image.folder}</span>
                    </>
                  ) : null}
                </p>
                <Tags tags={image.tags} />
              </div>
            </button>
            <div
              className={cn(
                'absolute top-2 left-2 rounded bg-card/90 p-0.5 shadow-sm transition-opacity',
                isSelected ? 'opacity-100' : 'opacity-0 group-hover:opacity-100 focus-within:opacity-100',
              )}
            >
              <Checkbox
                checked={isSelected}
                aria-label={`Select ${image.filename}`}
                onClick={(event) => {
                  event.preventDefault()
                  onToggle(image.id, event.shiftKey)
                }}
              />
            </div>
          </li>
        )
      })}
    </ul>
  )
}

export function ImageGridSkeleton({ count = 12 }: { count?: number }) {
  return (
    <div className="grid grid-cols-[repeat(auto-fill,minmax(11rem,1fr))] gap-3" role="status" aria-label="Loading images">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="overflow-hidden rounded-lg border bg-card">
          <Skeleton className="aspect-[4/3] rounded-none" />
          <div className="flex flex-col gap-1.5 p-2.5">
            <Skeleton className="h-4 w-3/4" />
            <Skeleton className="h-3 w-1/2" />
          </div>
        </div>
      ))}
    </div>
  )
}

const column = createColumnHelper<LibraryImage>()

/** The table's columns: selection, thumbnail, file name (opens the detail), size, folder, tags, source, added. */
function imageColumns({ selected, allSelected, onToggle, onOpen }: Omit<ImageViewProps, 'images'>) {
  return [
    column.display({
      id: 'select',
      header: () => <span className="sr-only">Select</span>,
      cell: (info) => (
        <Checkbox
          checked={allSelected || selected.has(info.row.original.id)}
          aria-label={`Select ${info.row.original.filename}`}
          onClick={(event) => {
            event.preventDefault()
            onToggle(info.row.original.id, event.shiftKey)
          }}
        />
      ),
    }),
    column.display({
      id: 'thumb',
      header: () => <span className="sr-only">Preview</span>,
      // A fixed box: an auto-sized table otherwise squeezes the image to a sliver when columns crowd.
      cell: (info) => (
        <img
          src={info.row.original.thumbnail_url}
          alt=""
          loading="lazy"
          data-testid="table-thumbnail"
          className="block h-10 w-14 max-w-none min-w-14 shrink-0 rounded border bg-muted object-cover"
        />
      ),
    }),
    column.accessor('filename', {
      header: 'File name',
      cell: (info) => (
        <button
          type="button"
          className="max-w-72 truncate text-left font-medium hover:underline"
          onClick={() => onOpen(info.row.original)}
        >
          {info.getValue()}
        </button>
      ),
    }),
    column.display({
      id: 'size',
      header: 'Size',
      cell: (info) => (
        <span className="text-muted-foreground tabular-nums">
          {info.row.original.width}×{info.row.original.height} · {formatBytes(info.row.original.size_bytes)}
        </span>
      ),
    }),
    column.accessor('folder', {
      header: 'Folder',
      cell: (info) => <span className="text-muted-foreground">{info.getValue() ?? '—'}</span>,
    }),
    column.accessor('tags', { header: 'Tags', cell: (info) => <Tags tags={info.getValue()} max={4} /> }),
    column.accessor('source', { header: 'Source', cell: (info) => <span className="capitalize">{info.getValue()}</span> }),
    column.accessor('created_at', {
      header: 'Added',
      cell: (info) => (
        <span className="text-muted-foreground" title={formatDateTime(info.getValue())}>
          {formatRelative(info.getValue())}
        </span>
      ),
    }),
  ]
}

export function ImageTable({ images, selected, allSelected, onToggle, onOpen }: ImageViewProps) {
  const columns = useMemo(() => imageColumns({ allSelected, selected, onToggle, onOpen }), [allSelected, selected, onToggle, onOpen])
  const table = useReactTable({
    data: images,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (image) => String(image.id),
  })
  return (
    <div className="overflow-hidden rounded-lg border bg-card">
      <Table aria-label="Images" data-testid="image-table">
        <DataTableHeader table={table} />
        <TableBody>
          {table.getRowModel().rows.map((row) => (
            <TableRow
              key={row.id}
              data-testid="image-row"
              data-state={allSelected || selected.has(row.original.id) ? 'selected' : undefined}
            >
              {row.getVisibleCells().map((cell) => (
                <TableCell key={cell.id} className="py-1.5">
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}
