import { flexRender, type Table as ReactTable } from '@tanstack/react-table'
import { TableHead, TableHeader, TableRow } from '@/components/ui/table'

/** The header rows of a TanStack table, in the app's table style. */
export function DataTableHeader<T>({ table }: { table: ReactTable<T> }) {
  return (
    <TableHeader className="bg-muted/40">
      {table.getHeaderGroups().map((group) => (
        <TableRow key={group.id} className="hover:bg-transparent">
          {group.headers.map((header) => (
            <TableHead key={header.id}>
              {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
            </TableHead>
          ))}
        </TableRow>
      ))}
    </TableHeader>
  )
}
