import { CheckCircle2Icon } from 'lucide-react'
import { Link } from 'react-router'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useDatasetChoices, useVersions } from '@/features/datasets'
import type { DatasetVersion } from '@/lib/api'
import { formatCount, formatRelative } from '@/lib/format'
import { cn } from '@/lib/utils'
import type { Wizard } from '../hooks/wizard'
import { FieldError, FormField } from './form-field'

const SPLITS = ['train', 'val', 'test'] as const

function VersionCard({ version, chosen, onPick }: { version: DatasetVersion; chosen: boolean; onPick: () => void }) {
  const ready = version.status === 'ready'
  const noVal = ready && (version.counts.images.val ?? 0) === 0
  return (
    <button
      type="button"
      role="radio"
      aria-checked={chosen}
      disabled={!ready}
      onClick={onPick}
      data-testid={`version-${version.number}`}
      className={cn(
        'flex w-full flex-col gap-1 rounded-md border p-3 text-left text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring/40 disabled:opacity-50',
        chosen && 'border-primary ring-1 ring-primary',
      )}
    >
      <span className="flex items-center justify-between gap-2 font-medium">
        <span>
          v{version.number} · {version.name}
        </span>
        {chosen ? <CheckCircle2Icon className="size-4 text-primary" aria-hidden /> : null}
      </span>
      <span className="text-xs text-muted-foreground">
        {ready
          ? SPLITS.map((s) => `${formatCount(version.counts.images[s] ?? 0)} ${s}`).join(' · ') +
            ` · ${formatCount(version.counts.total_annotations)} boxes · ${version.class_mapping.length} classes`
          : `${version.status} · not ready to train on`}
      </span>
      <span className="text-xs text-muted-foreground">Frozen {formatRelative(version.created_at)}</span>
      {noVal ? <span className="text-xs text-warning">No val images: the server will refuse this version.</span> : null}
    </button>
  )
}

function VersionList({ datasetId, wizard }: { datasetId: number; wizard: Wizard }) {
  const versions = useVersions(datasetId)
  if (versions.isPending) return <LoadingState label="Loading versions…" />
  if (versions.isError) return <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />
  if (versions.data.items.length === 0)
    return (
      <EmptyState
        title="This dataset has no versions"
        description={
          <>
            Training reads a frozen version.{' '}
            <Link className="text-primary hover:underline" to={`/od/datasets/${datasetId}`}>
              Create one on the dataset page
            </Link>
            .
          </>
        }
      />
    )
  return (
    <div role="radiogroup" aria-label="Dataset version" className="grid gap-2 md:grid-cols-2">
      {versions.data.items.map((v) => (
        <VersionCard key={v.id} version={v} chosen={wizard.state.versionId === v.id} onPick={() => wizard.setVersion(v.id)} />
      ))}
    </div>
  )
}

/** Step 1: which dataset, and which frozen version of it. */
export function StepDataset({ wizard }: { wizard: Wizard }) {
  const datasets = useDatasetChoices()
  const { datasetId } = wizard.state
  return (
    <div className="flex flex-col gap-5">
      <FormField id="wizard-dataset" label="Dataset" field="dataset_id" errors={wizard.errors}>
        <Select value={datasetId ? String(datasetId) : ''} onValueChange={(v) => wizard.setDataset(Number(v))}>
          <SelectTrigger id="wizard-dataset" className="max-w-md" data-testid="wizard-dataset">
            <SelectValue placeholder={datasets.isPending ? 'Loading datasets…' : 'Choose a dataset'} />
          </SelectTrigger>
          <SelectContent>
            {(datasets.data ?? []).map((d) => (
              <SelectItem key={d.id} value={String(d.id)}>
                {d.name}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </FormField>
      {datasetId ? (
        <div className="flex flex-col gap-2">
          <p className="text-sm font-medium">Version</p>
          <VersionList datasetId={datasetId} wizard={wizard} />
        </div>
      ) : null}
      <FieldError errors={wizard.errors} field="dataset_version_id" />
    </div>
  )
}
