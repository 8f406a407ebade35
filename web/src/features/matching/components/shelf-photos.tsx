import { useCallback, useMemo } from 'react'
import { ImageIcon } from 'lucide-react'
import { Link } from 'react-router'
import { LoadMore } from '@/components/load-more'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Card } from '@/components/ui/card'
import { useShelfImages } from '../hooks/queries'

/** Shelf photos that have cutouts, with how many are matched; each opens its labelled view. */
export function ShelfPhotos({ collectionId }: { collectionId: number | null }) {
  const pages = useShelfImages(collectionId)
  const items = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data])
  const { fetchNextPage } = pages
  const more = useCallback(() => void fetchNextPage(), [fetchNextPage])
  if (pages.isError) return <Card><ErrorState error={pages.error} title="Could not load the shelf photos" onRetry={() => void pages.refetch()} /></Card>
  if (pages.isPending) return <LoadingState />
  if (items.length === 0)
    return <Card><EmptyState icon={<ImageIcon aria-hidden />} title="No shelf photos with cutouts" description="Make cutouts from a detection dataset on the Cutouts page." /></Card>
  const query = collectionId !== null ? `?collection=${collectionId}` : ''
  return (
    <>
      <ul className="grid grid-cols-[repeat(auto-fill,minmax(16rem,1fr))] gap-3" data-testid="shelf-photos">
        {items.map((p) => (
          <li key={p.image_id}>
            <Link to={`/matching/images/${p.image_id}${query}`} className="flex flex-col gap-2 rounded-lg border bg-card p-2 shadow-xs hover:border-primary" data-testid="shelf-photo" data-image-id={p.image_id}>
              <img src={p.thumbnail_url} alt={`Shelf photo ${p.filename}`} loading="lazy" className="h-36 w-full rounded-sm bg-muted object-contain" />
              <span className="flex items-center justify-between gap-2 text-xs">
                <span className="truncate font-medium">{p.filename}</span>
                <span className="shrink-0 text-muted-foreground tabular-nums" data-testid="shelf-photo-matched">
                  {p.matched} / {p.cutouts} matched{p.predicted > 0 ? ` · ${p.predicted} predicted` : ''}
                </span>
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <LoadMore shown={items.length} total={pages.data?.pages[0]?.total ?? null} hasMore={pages.hasNextPage} loading={pages.isFetchingNextPage} onMore={more} noun="photos" />
    </>
  )
}
