/**
 * A list page's table: headings, skeleton rows while the first page loads, an empty state spanning
 * every column when there is nothing, else the rows given.
 */
import type { ReactNode } from 'react'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'

export function ListTable({
  label,
  headings,
  pending,
  empty,
  children,
}: {
  label: string
  headings: readonly string[]
  pending: boolean
  /** Shown in one row spanning every column when not pending and `children` is empty. */
  empty: ReactNode | null
  children: ReactNode
}) {
  return (
    <Table aria-label={label}>
      <TableHeader className="bg-muted/40">
        <TableRow className="hover:bg-transparent">
          {headings.map((h) => (
            <TableHead key={h}>{h}</TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {pending ? (
          Array.from({ length: 4 }, (_, i) => (
            <TableRow key={i}>
              {headings.map((h) => (
                <TableCell key={h}>
                  <Skeleton className="h-4 w-full max-w-28" />
                </TableCell>
              ))}
            </TableRow>
          ))
        ) : empty ? (
          <TableRow className="hover:bg-transparent">
            <TableCell colSpan={headings.length}>{empty}</TableCell>
          </TableRow>
        ) : (
          children
        )}
      </TableBody>
    </Table>
  )
}
