import { useState } from 'react'
import { ImagePlusIcon, Loader2Icon } from 'lucide-react'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { PRODUCT_DOMAINS, type Product, type ProductDomain } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { DOMAIN_COLOR, DOMAIN_HINT, DOMAIN_LABEL } from '../hooks/domains'
import { useProductImages } from '../hooks/queries'
import { ImageTile } from './image-tile'
import { UploadImagesDialog } from './upload-images-dialog'

function DomainSection({ productId, domain, count, canWrite, poll }: { productId: number; domain: ProductDomain; count: number; canWrite: boolean; poll: boolean }) {
  const images = useProductImages(productId, domain, { poll, enabled: count > 0 || poll })
  const items = images.data?.pages.flatMap((p) => p.items) ?? []
  return (
    <section className="flex flex-col gap-2" data-testid={`domain-section-${domain}`} data-count={count} aria-label={`${DOMAIN_LABEL[domain]} images`}>
      <header className="flex items-baseline gap-2">
        <span className="size-2.5 self-center rounded-full" style={{ backgroundColor: DOMAIN_COLOR[domain] }} aria-hidden />
        <h3 className="text-sm font-semibold">{DOMAIN_LABEL[domain]}</h3>
        <span className="text-sm text-muted-foreground tabular-nums" data-testid={`domain-count-${domain}`}>
          {formatCount(count)}
        </span>
        <span className="text-xs text-muted-foreground">· {DOMAIN_HINT[domain]}</span>
      </header>
      {images.isError ? (
        <ErrorState error={images.error} title={`Could not load ${DOMAIN_LABEL[domain].toLowerCase()} images`} className="py-4" />
      ) : images.isPending && count > 0 ? (
        <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Loading images" />
      ) : items.length === 0 ? (
        <p className="text-xs text-muted-foreground">None yet.</p>
      ) : (
        <ul className="grid grid-cols-[repeat(auto-fill,minmax(7.5rem,1fr))] gap-2">
          {items.map((image) => (
            <ImageTile key={image.id} image={image} canWrite={canWrite} />
          ))}
        </ul>
      )}
      {images.hasNextPage ? (
        <Button variant="outline" size="sm" className="w-fit" onClick={() => void images.fetchNextPage()} disabled={images.isFetchingNextPage}>
          {images.isFetchingNextPage ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
          More {DOMAIN_LABEL[domain].toLowerCase()} images
        </Button>
      ) : null}
    </section>
  )
}

/** The product's images grouped by domain, each group a page at a time; new video frames appear while `poll` is on. */
export function ProductGallery({ product, canWrite, poll }: { product: Product; canWrite: boolean; poll: boolean }) {
  const [uploading, setUploading] = useState(false)
  return (
    <Card data-testid="product-gallery">
      <CardHeader className="flex flex-row items-center justify-between gap-2">
        <CardTitle className="text-base">
          Images <span className="font-normal text-muted-foreground tabular-nums">{formatCount(product.image_count)}</span>
        </CardTitle>
        <Button size="sm" onClick={() => setUploading(true)} disabled={!canWrite} data-testid="upload-images">
          <ImagePlusIcon aria-hidden /> Upload images
        </Button>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        {PRODUCT_DOMAINS.map((d) => (
          <DomainSection key={d} productId={product.id} domain={d} count={product.domain_counts[d] ?? 0} canWrite={canWrite} poll={poll && d === 'synthetic'} />
        ))}
      </CardContent>
      <UploadImagesDialog productId={product.id} open={uploading} onOpenChange={setUploading} />
    </Card>
  )
}
