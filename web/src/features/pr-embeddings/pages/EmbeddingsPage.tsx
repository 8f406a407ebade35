import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Card, CardHeader, CardTitle } from '@/components/ui/card'
import { useCanWrite } from '@/features/products'
import { CollectionsTable } from '../components/collections-table'
import { ExtractPanel } from '../components/extract-panel'
import { useEmbedModels, useEmbeddingCollections } from '../hooks/queries'

/** Extract embeddings with a registered model or a stock backbone; the collections they fill, with their stats. */
export function EmbeddingsPage() {
  const models = useEmbedModels()
  const collections = useEmbeddingCollections()
  const canWrite = useCanWrite()
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        className="mb-0"
        eyebrow="Product recognition"
        title="Embeddings"
        description="Turn product images and shelf cutouts into vectors with an embedding model. Extraction is incremental: only new or changed images are embedded again."
      />
      {models.isError ? (
        <Card>
          <ErrorState error={models.error} title="Could not load the models" onRetry={() => void models.refetch()} />
        </Card>
      ) : models.isPending ? (
        <LoadingState />
      ) : (
        <ExtractPanel models={models.data} canWrite={canWrite} />
      )}
      <Card className="overflow-hidden">
        <CardHeader>
          <CardTitle>Collections</CardTitle>
        </CardHeader>
        {collections.isError ? (
          <ErrorState error={collections.error} title="Could not load the collections" onRetry={() => void collections.refetch()} />
        ) : (
          <CollectionsTable collections={collections.data ?? []} pending={collections.isPending} canWrite={canWrite} />
        )}
      </Card>
    </div>
  )
}
