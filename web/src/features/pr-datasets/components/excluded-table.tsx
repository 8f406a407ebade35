import { Link } from 'react-router'
import { EmptyState } from '@/components/states'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { PrDatasetStats } from '@/lib/api'
import { formatCount } from '@/lib/format'

/** Products below the minimum, the fewest images first, each linking to its page to add images. */
export function ExcludedTable({ stats, minImages }: { stats: PrDatasetStats; minImages: number }) {
  if (stats.excluded_count === 0) return <EmptyState title="No product is excluded" description={`Every product has at least ${minImages} counted images.`} className="py-6" />
  const rows = [...stats.excluded].sort((a, b) => a.images - b.images || a.sku.localeCompare(b.sku))
  return (
    <div className="flex flex-col gap-2">
      <div className="max-h-96 overflow-y-auto rounded-md border">
        <Table data-testid="excluded-table">
          <TableHeader>
            <TableRow>
              <TableHead>SKU</TableHead>
              <TableHead>Product</TableHead>
              <TableHead className="text-right">Counted images</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((p) => (
              <TableRow key={p.product_id} data-testid="excluded-row" data-sku={p.sku}>
                <TableCell className="font-mono text-xs">{p.sku}</TableCell>
                <TableCell>
                  <Link to={`/products/${p.product_id}`} className="hover:underline">
                    {p.name}
                  </Link>
                </TableCell>
                <TableCell className="text-right tabular-nums">
                  {formatCount(p.images)} <span className="text-muted-foreground">/ {minImages}</span>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {stats.excluded_count > rows.length ? (
        <p className="text-xs text-muted-foreground">
          Showing the first {formatCount(rows.length)} of {formatCount(stats.excluded_count)} excluded products.
        </p>
      ) : null}
    </div>
  )
}
