import { ArrowLeftIcon, Trash2Icon } from 'lucide-react'
import { Link, useNavigate, useParams } from 'react-router'
import { toast } from 'sonner'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { DOMAIN_LABEL, useCanWrite } from '@/features/products'
import { errorMessage, isApiError, type PrDataset } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { ConfirmAction } from '../components/confirm-action'
import { DistributionChart, DomainChart } from '../components/stats-charts'
import { ExcludedTable } from '../components/excluded-table'
import { SettingsCard } from '../components/settings-card'
import { VersionsCard } from '../components/versions-card'
import { SOURCE_LABEL } from '../hooks/logic'
import { useDeletePrDataset, usePrDataset, usePrDatasetStats } from '../hooks/queries'

function Kpi({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Card className="px-4 py-3">
      <p className="text-xs text-muted-foreground">{label}</p>
      <p className="text-2xl font-semibold tabular-nums" data-testid={testId}>
        {formatCount(value)}
      </p>
    </Card>
  )
}

function Stats({ dataset }: { dataset: PrDataset }) {
  const stats = usePrDatasetStats(dataset.id)
  if (stats.isPending) return <LoadingState label="Counting…" />
  if (stats.isError) return <ErrorState error={stats.error} title="Could not load the stats" onRetry={() => void stats.refetch()} />
  const s = stats.data
  return (
    <div className="flex flex-col gap-4" data-testid="pr-dataset-stats">
      <div className="grid grid-cols-3 gap-3">
        <Kpi label="Products included" value={s.products} testId="stat-products" />
        <Kpi label="Images counted" value={s.images} testId="stat-images" />
        <Kpi label="Products excluded" value={s.excluded_count} testId="stat-excluded" />
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle className="text-base">Images per domain</CardTitle>
          </CardHeader>
          <CardContent>
            <DomainChart stats={s} domains={dataset.domains} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle className="text-base">Images per product</CardTitle>
          </CardHeader>
          <CardContent>
            <DistributionChart stats={s} minImages={dataset.min_images_per_product} />
          </CardContent>
        </Card>
      </div>
      <Card data-testid="excluded-products">
        <CardHeader>
          <CardTitle className="text-base">Excluded products ({formatCount(s.excluded_count)})</CardTitle>
          <CardDescription>Fewer than {dataset.min_images_per_product} images in the counted domains. Add images, or lower the minimum.</CardDescription>
        </CardHeader>
        <CardContent>
          <ExcludedTable stats={s} minImages={dataset.min_images_per_product} />
        </CardContent>
      </Card>
    </div>
  )
}

function DeleteButton({ dataset, disabled }: { dataset: PrDataset; disabled: boolean }) {
  const remove = useDeletePrDataset()
  const navigate = useNavigate()
  const run = () =>
    remove.mutateAsync(dataset.id).then(
      () => {
        toast.success(`Deleted ${dataset.name}`)
        void navigate('/datasets')
      },
      (e: unknown) => {
        toast.error(errorMessage(e))
        throw e
      },
    )
  return (
    <ConfirmAction
      trigger={
        <Button variant="outline" disabled={disabled}>
          <Trash2Icon aria-hidden /> Delete
        </Button>
      }
      title={`Delete ${dataset.name}?`}
      description={`The dataset and its ${dataset.version_count} frozen versions go. Products and their images stay.`}
      onConfirm={run}
    />
  )
}

export function PrDatasetDetailPage() {
  const id = Number(useParams().id)
  const dataset = usePrDataset(id)
  const canWrite = useCanWrite()
  if (dataset.isPending) return <LoadingState />
  if (dataset.isError) {
    const missing = isApiError(dataset.error) && dataset.error.status === 404
    return <ErrorState error={dataset.error} title={missing ? 'No such dataset' : 'Could not load the dataset'} />
  }
  const d = dataset.data
  return (
    <div data-testid="pr-dataset-detail">
      <Link to="/datasets" className="mb-3 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeftIcon className="size-4" aria-hidden /> Product datasets
      </Link>
      <PageHeader
        eyebrow={`Product dataset · ${SOURCE_LABEL[d.source]}`}
        title={d.name}
        description={d.description || `${d.domains.map((x) => DOMAIN_LABEL[x]).join(', ')} images; at least ${d.min_images_per_product} per product.`}
        actions={<DeleteButton dataset={d} disabled={!canWrite} />}
      />
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <Stats dataset={d} />
        <div className="flex flex-col gap-4">
          <SettingsCard dataset={d} canWrite={canWrite} />
          <VersionsCard datasetId={d.id} canWrite={canWrite} />
        </div>
      </div>
    </div>
  )
}
