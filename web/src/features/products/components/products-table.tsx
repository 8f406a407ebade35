import { ImageOffIcon } from 'lucide-react'
import { Link, useNavigate } from 'react-router'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { Product } from '@/lib/api'
import { formatCount, formatRelative } from '@/lib/format'
import { DomainBadges, StatusBadge } from './domain-badges'

export function ProductThumb({ product, size = 'size-10' }: { product: Pick<Product, 'cover_image' | 'name'>; size?: string }) {
  return product.cover_image ? (
    <img src={product.cover_image.thumbnail_url} alt="" loading="lazy" className={`${size} max-w-none shrink-0 rounded border bg-muted object-cover`} />
  ) : (
    <div className={`${size} flex shrink-0 items-center justify-center rounded border border-dashed bg-muted/40 text-muted-foreground`} aria-hidden>
      <ImageOffIcon className="size-4" />
    </div>
  )
}

function ProductRow({ product }: { product: Product }) {
  const navigate = useNavigate()
  return (
    <TableRow className="cursor-pointer" onClick={() => void navigate(`/products/${product.id}`)} data-testid="product-row" data-sku={product.sku}>
      <TableCell className="w-14">
        <ProductThumb product={product} />
      </TableCell>
      <TableCell className="max-w-[22rem]">
        <Link to={`/products/${product.id}`} className="block truncate font-medium hover:underline" onClick={(e) => e.stopPropagation()}>
          {product.name}
        </Link>
        <span className="block truncate font-mono text-xs text-muted-foreground">{product.sku}</span>
      </TableCell>
      <TableCell className="text-muted-foreground">{product.brand ?? '—'}</TableCell>
      <TableCell className="text-muted-foreground">{product.category ?? '—'}</TableCell>
      <TableCell>
        <StatusBadge status={product.status} />
      </TableCell>
      <TableCell>
        <DomainBadges counts={product.domain_counts} className="flex-nowrap" compact />
      </TableCell>
      <TableCell className="text-right tabular-nums" data-testid="product-image-count">
        {formatCount(product.image_count)}
      </TableCell>
      <TableCell className="text-muted-foreground">{formatRelative(product.updated_at)}</TableCell>
    </TableRow>
  )
}

export function ProductsTable({ products, pending }: { products: Product[]; pending: boolean }) {
  return (
    <Table data-testid="products-table">
      <TableHeader>
        <TableRow>
          <TableHead className="w-14" />
          <TableHead>Product</TableHead>
          <TableHead>Brand</TableHead>
          <TableHead>Category</TableHead>
          <TableHead>Status</TableHead>
          <TableHead title="Synthetic, real, augmented, cutout">Images by domain</TableHead>
          <TableHead className="text-right">Images</TableHead>
          <TableHead>Updated</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {pending
          ? Array.from({ length: 6 }, (_, i) => (
              <TableRow key={i}>
                <TableCell colSpan={8}>
                  <Skeleton className="h-10" />
                </TableCell>
              </TableRow>
            ))
          : products.map((p) => <ProductRow key={p.id} product={p} />)}
      </TableBody>
    </Table>
  )
}
