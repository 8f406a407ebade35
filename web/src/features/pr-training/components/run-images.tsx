import { useState } from 'react'
import { LoadMore } from '@/components/load-more'
import { ErrorState, LoadingState } from '@/components/states'
import { Segmented } from '@/components/ui/segmented'
import { productThumbnailUrl } from '@/features/pr-models'
import { DOMAIN_LABEL } from '@/features/products'
import type { PrSplit } from '@/lib/api'
import { useRunImages } from '../hooks/queries'

const SPLIT_OPTIONS: { value: PrSplit; label: string }[] = [
  { value: 'train', label: 'Train' },
  { value: 'val', label: 'Val' },
  { value: 'test', label: 'Test' },
]

/** The frozen image list of one split, as thumbnails. */
export function RunImages({ runId }: { runId: number }) {
  const [split, setSplit] = useState<PrSplit>('test')
  const images = useRunImages(runId, split)
  const items = images.data?.pages.flatMap((p) => p.items) ?? []
  return (
    <div className="flex flex-col gap-3">
      <Segmented label="Split" value={split} options={SPLIT_OPTIONS} onChange={setSplit} testId="run-images-split" />
      {images.isPending ? (
        <LoadingState />
      ) : images.isError ? (
        <ErrorState error={images.error} onRetry={() => void images.refetch()} />
      ) : (
        <>
          <ul className="grid grid-cols-[repeat(auto-fill,minmax(5rem,1fr))] gap-2" data-testid="run-images">
            {items.map((image) => (
              <li key={image.id} className="flex flex-col gap-0.5" data-testid="run-image">
                <img src={productThumbnailUrl(image.product_image_id)} alt={`Image ${image.product_image_id}`} loading="lazy" className="aspect-square w-full rounded border bg-muted object-contain" />
                <span className="truncate text-[10px] text-muted-foreground">p{image.product_id} · {DOMAIN_LABEL[image.domain] ?? image.domain}</span>
              </li>
            ))}
          </ul>
          <LoadMore shown={items.length} total={images.data?.pages[0]?.total ?? null} hasMore={images.hasNextPage} loading={images.isFetchingNextPage} onMore={() => void images.fetchNextPage()} noun="images" auto={false} />
        </>
      )}
    </div>
  )
}
