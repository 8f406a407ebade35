import { SparklesIcon, WaypointsIcon } from 'lucide-react'
import { Link, useSearchParams } from 'react-router'
import { toast } from 'sonner'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Segmented } from '@/components/ui/segmented'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import { useEmbeddingCollections } from '@/features/pr-embeddings'
import { useCanWrite } from '@/features/products'
import { errorMessage, type MatchQueueSort } from '@/lib/api'
import { BulkAccept } from '../components/bulk-accept'
import { CollectionPicker } from '../components/collection-picker'
import { ShelfPhotos } from '../components/shelf-photos'
import { SummaryBar } from '../components/summary-bar'
import { Workbench } from '../components/workbench'
import { chosenCollection, readMatchParams, writeMatchParams, type MatchParams, type MatchTab } from '../hooks/page-params'
import { useMatchSummary, usePredict } from '../hooks/queries'

const SORTS = [
  { value: 'similarity', label: 'Most similar first' },
  { value: 'id', label: 'Oldest first' },
] as const

function PredictButton({ collectionId }: { collectionId: number }) {
  const predict = usePredict()
  const run = () =>
    predict.mutate(collectionId, { onSuccess: ({ job }) => toast.success(`Predicting candidates (job #${job.id})`), onError: (e) => toast.error(errorMessage(e)) })
  return (
    <Button variant="outline" size="sm" onClick={run} disabled={predict.isPending} title="Search the collection again for every unmatched cutout" data-testid="predict-candidates">
      <SparklesIcon aria-hidden /> Predict again
    </Button>
  )
}

function Matching({ collectionId, params, update, canWrite }: { collectionId: number; params: MatchParams; update: (p: Partial<MatchParams>) => void; canWrite: boolean }) {
  const summary = useMatchSummary(collectionId)
  return (
    <div className="flex flex-col gap-4">
      <Card className="flex flex-wrap items-center justify-between gap-x-6 gap-y-3 px-4 py-2.5">
        <SummaryBar summary={summary.data} />
        {canWrite ? (
          <div className="flex flex-wrap items-center gap-2">
            <BulkAccept collectionId={collectionId} disabled={!canWrite} />
            <PredictButton collectionId={collectionId} />
          </div>
        ) : null}
      </Card>
      <Tabs value={params.tab} onValueChange={(tab) => update({ tab: tab as MatchTab })}>
        <div className="flex items-center justify-between gap-3">
          <TabsList>
            <TabsTrigger value="queue" data-testid="tab-queue">Queue</TabsTrigger>
            <TabsTrigger value="photos" data-testid="tab-photos">Shelf photos</TabsTrigger>
          </TabsList>
          {params.tab === 'queue' ? <Segmented label="Queue order" value={params.sort} options={SORTS} onChange={(sort: MatchQueueSort) => update({ sort })} testId="queue-sort" /> : null}
        </div>
        <TabsContent value="queue" className="mt-3">
          <Workbench collectionId={collectionId} sort={params.sort} canWrite={canWrite} />
        </TabsContent>
        <TabsContent value="photos" className="mt-3">
          <ShelfPhotos collectionId={collectionId} />
        </TabsContent>
      </Tabs>
    </div>
  )
}

/** Confirm or reject each unmatched cutout's likely products, by keyboard; bulk-accept the sure ones; see shelf photos labelled. */
export function MatchingPage() {
  const [search, setSearch] = useSearchParams()
  const params = readMatchParams(search)
  const collections = useEmbeddingCollections()
  const canWrite = useCanWrite()
  const list = collections.data ?? []
  const collectionId = chosenCollection(params.collectionId, list.map((c) => c.id))
  const update = (patch: Partial<MatchParams>) => setSearch(writeMatchParams({ ...params, collectionId, ...patch }), { replace: true })
  return (
    <div>
      <PageHeader
        eyebrow="Product recognition"
        title="Matching"
        description="Each cutout beside its most similar products. Confirm one and the crop becomes a real-domain image of that product."
        actions={list.length > 0 ? <CollectionPicker collections={list} value={collectionId} onChange={(id) => update({ collectionId: id })} /> : null}
      />
      {collections.isError ? (
        <Card><ErrorState error={collections.error} title="Could not load the collections" onRetry={() => void collections.refetch()} /></Card>
      ) : collections.isPending ? (
        <LoadingState />
      ) : collectionId === null ? (
        <Card>
          <EmptyState
            icon={<WaypointsIcon aria-hidden />}
            title="No embeddings to match with"
            description="Extract embeddings of product images and cutouts with a model first."
            action={<Button asChild><Link to="/embeddings">Go to Embeddings</Link></Button>}
          />
        </Card>
      ) : (
        <Matching key={collectionId} collectionId={collectionId} params={params} update={update} canWrite={canWrite} />
      )}
    </div>
  )
}
