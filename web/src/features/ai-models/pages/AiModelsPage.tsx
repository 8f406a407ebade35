/** System → AI models (/settings/models): the models auto-annotation can use, whether their weights are on the server,
 * and (admins) downloading or deleting them. */
import { useState } from 'react'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Card } from '@/components/ui/card'
import { Table, TableBody, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useSession } from '@/features/auth'
import type { AiModel } from '@/lib/api'
import { formatBytes } from '@/lib/format'
import { DeleteModelDialog } from '../components/delete-model-dialog'
import { ModelRow } from '../components/model-row'
import { WeightsNote } from '../components/weights-note'
import { useAiModels } from '../hooks/ai-models'

/** The folder all models live in: each model's folder less its key. */
export function modelsFolder(models: readonly AiModel[]): string | null {
  const first = models[0]
  if (!first) return null
  return first.folder.slice(0, first.folder.length - first.key.length).replace(/[/\\]$/, '')
}

function summary(models: readonly AiModel[]): string {
  const present = models.filter((m) => m.present)
  const bytes = present.reduce((sum, m) => sum + m.size_on_disk, 0)
  return `${present.length} of ${models.length} installed (${formatBytes(bytes)}).`
}

function ModelsTable({ models, isAdmin }: { models: AiModel[]; isAdmin: boolean }) {
  const [deleting, setDeleting] = useState<AiModel | null>(null)
  return (
    <Card className="overflow-hidden">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Model</TableHead>
            <TableHead className="w-24">Task</TableHead>
            <TableHead>Can be asked</TableHead>
            <TableHead className="w-24">Licence</TableHead>
            <TableHead className="w-24">Download</TableHead>
            <TableHead className="w-60">Status</TableHead>
            <TableHead className="w-24">On disk</TableHead>
            {isAdmin ? (
              <TableHead className="w-28">
                <span className="sr-only">Actions</span>
              </TableHead>
            ) : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {models.map((model) => (
            <ModelRow key={model.key} model={model} isAdmin={isAdmin} onDelete={setDeleting} />
          ))}
        </TableBody>
      </Table>
      {deleting ? <DeleteModelDialog model={deleting} onClose={() => setDeleting(null)} /> : null}
    </Card>
  )
}

export function AiModelsPage() {
  const session = useSession()
  const isAdmin = session.data?.user.role === 'admin'
  const models = useAiModels()
  const items = models.data?.items ?? []
  return (
    <div>
      <PageHeader
        eyebrow="System"
        title="AI models"
        description={
          <>
            Weights for auto-annotation, kept on the server. {models.data ? <span data-testid="models-summary">{summary(items)}</span> : null}
            {session.data && !isAdmin ? ' Only admins can download or delete them.' : null}
          </>
        }
      />
      <WeightsNote modelsFolder={modelsFolder(items)} />
      {models.isPending ? (
        <LoadingState />
      ) : models.isError ? (
        <ErrorState error={models.error} title="Could not load the models" onRetry={() => void models.refetch()} />
      ) : (
        <ModelsTable models={items} isAdmin={isAdmin} />
      )}
    </div>
  )
}
