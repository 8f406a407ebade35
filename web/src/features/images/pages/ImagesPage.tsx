import { ImageIcon } from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { ErrorState } from '@/components/states'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { useOdStats } from '@/features/dashboard'
import { formatCount } from '@/lib/format'
import { VerifyStorageCard } from '../components/verify-storage-card'

function LibrarySize() {
  const stats = useOdStats()
  return (
    <Card>
      <CardHeader className="flex-row items-start gap-3">
        <span className="flex size-9 shrink-0 items-center justify-center rounded-md bg-primary/8 text-primary">
          <ImageIcon className="size-4" aria-hidden />
        </span>
        <div className="flex flex-col gap-1">
          <CardTitle>Library</CardTitle>
          <CardDescription>
            The image library UI comes with the image library issue: a searchable grid with filters, uploads,
            folder and zip imports, and bulk actions.
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        {stats.isError ? (
          <ErrorState error={stats.error} onRetry={() => void stats.refetch()} className="py-4" />
        ) : (
          <div className="flex items-baseline gap-2">
            {stats.isPending ? (
              <Skeleton className="h-8 w-20" />
            ) : (
              <span className="text-3xl font-semibold tabular-nums" data-testid="library-size">
                {formatCount(stats.data.images)}
              </span>
            )}
            <span className="text-sm text-muted-foreground">images stored</span>
          </div>
        )}
      </CardContent>
    </Card>
  )
}

export function ImagesPage() {
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        className="mb-0"
        eyebrow="Object detection"
        title="Images"
        description="Every shelf photo Shelfscope stores, shared by all datasets."
      />
      <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.6fr)]">
        <LibrarySize />
        <VerifyStorageCard />
      </div>
    </div>
  )
}
