import { useState } from 'react'
import { ColumnsIcon } from 'lucide-react'
import { Link } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { MIN_COMPARE, toggleCompare } from '@/features/models'
import { ModelsTable } from '../components/models-table'
import { usePrModels } from '../hooks/queries'

/** Registered embedding models, newest first, with their test Recall@K; pick 2–5 to compare. */
export function PrModelsPage() {
  const models = usePrModels()
  const [picked, setPicked] = useState<number[]>([])
  const ready = picked.length >= MIN_COMPARE
  return (
    <div>
      <PageHeader
        eyebrow="Product recognition"
        title="Embedding models"
        description="Checkpoints registered as models, with their test metrics, backbone and preprocessing. Extraction uses them."
        actions={
          <Button asChild={ready} disabled={!ready} variant="outline" data-testid="compare-pr-models">
            {ready ? (
              <Link to={`/models/compare?ids=${picked.join(',')}`}>
                <ColumnsIcon aria-hidden /> Compare {picked.length}
              </Link>
            ) : (
              <span>
                <ColumnsIcon aria-hidden /> Compare (tick 2–5)
              </span>
            )}
          </Button>
        }
      />
      <Card className="overflow-hidden">
        {models.isError ? (
          <ErrorState error={models.error} title="Could not load the models" onRetry={() => void models.refetch()} />
        ) : (
          <ModelsTable models={models.data ?? []} pending={models.isPending} picked={picked} onPick={(id) => setPicked((p) => toggleCompare(p, id))} />
        )}
      </Card>
    </div>
  )
}
