import { useState } from 'react'
import { DatabaseIcon, PlusIcon } from 'lucide-react'
import { Link } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { SearchInput } from '@/components/ui/search-input'
import { Skeleton } from '@/components/ui/skeleton'
import { DOMAIN_LABEL, useCanWrite } from '@/features/products'
import type { PrDataset } from '@/lib/api'
import { countOf, formatCount, formatRelative } from '@/lib/format'
import { useDebounced } from '@/lib/use-debounced'
import { CreatePrDatasetDialog } from '../components/create-dataset-dialog'
import { SOURCE_LABEL } from '../hooks/logic'
import { usePrDatasets } from '../hooks/queries'

function Figure({ value, label, warn = false }: { value: number; label: string; warn?: boolean }) {
  return (
    <span>
      <strong className={warn && value > 0 ? 'text-amber-700 tabular-nums' : 'tabular-nums'}>{formatCount(value)}</strong> <span className="text-muted-foreground">{label}</span>
    </span>
  )
}

function DatasetCard({ dataset }: { dataset: PrDataset }) {
  return (
    <Link to={`/datasets/${dataset.id}`} className="group rounded-lg outline-none focus-visible:ring-2 focus-visible:ring-ring/50" data-testid="pr-dataset-card">
      <Card className="flex h-full flex-col transition-shadow group-hover:shadow-md">
        <CardHeader>
          <div className="flex items-start justify-between gap-2">
            <CardTitle className="truncate text-base leading-tight">{dataset.name}</CardTitle>
            <Badge variant="outline">{SOURCE_LABEL[dataset.source]}</Badge>
          </div>
          <CardDescription className="line-clamp-2">{dataset.description || `${dataset.domains.map((d) => DOMAIN_LABEL[d]).join(', ')} · at least ${dataset.min_images_per_product} images per product`}</CardDescription>
        </CardHeader>
        <CardContent className="mt-auto flex flex-col gap-2">
          <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
            <Figure value={dataset.product_count} label="products" />
            <Figure value={dataset.image_count} label="images" />
            <Figure value={dataset.excluded_count} label="excluded" warn />
          </div>
          <p className="text-xs text-muted-foreground">
            {countOf(dataset.version_count, 'version')} · updated {formatRelative(dataset.updated_at)}
          </p>
        </CardContent>
      </Card>
    </Link>
  )
}

export function PrDatasetsPage() {
  const [q, setQ] = useState('')
  const [creating, setCreating] = useState(false)
  const canWrite = useCanWrite()
  const datasets = usePrDatasets(useDebounced(q.trim(), 250) || null)
  const items = datasets.data?.items ?? []
  return (
    <div>
      <PageHeader
        eyebrow="Product recognition"
        title="Product datasets"
        description="Named sets of products and their images, with a minimum per product, frozen into versions for training embeddings."
        actions={
          <Button onClick={() => setCreating(true)} disabled={!canWrite} data-testid="new-pr-dataset">
            <PlusIcon aria-hidden /> New dataset
          </Button>
        }
      />
      <SearchInput wrapperClassName="mb-4 max-w-sm" aria-label="Search datasets" placeholder="Search datasets…" value={q} onChange={(e) => setQ(e.target.value)} />
      {datasets.isError ? (
        <Card>
          <ErrorState error={datasets.error} title="Could not load datasets" onRetry={() => void datasets.refetch()} />
        </Card>
      ) : datasets.isPending ? (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {Array.from({ length: 3 }, (_, i) => (
            <Skeleton key={i} className="h-44" />
          ))}
        </div>
      ) : items.length === 0 ? (
        <Card>
          <EmptyState icon={<DatabaseIcon aria-hidden />} title={q.trim() ? 'No datasets match' : 'No product datasets yet'} description={q.trim() ? 'Try another name.' : 'Create one from every product, the matched ones, or a selection.'} />
        </Card>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="pr-dataset-grid">
          {items.map((d) => (
            <DatasetCard key={d.id} dataset={d} />
          ))}
        </div>
      )}
      <CreatePrDatasetDialog open={creating} onOpenChange={setCreating} />
    </div>
  )
}
