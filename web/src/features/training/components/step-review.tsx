import type * as React from 'react'
import { ClockIcon } from 'lucide-react'
import { Input } from '@/components/ui/input'
import { useDatasetChoices, useVersions } from '@/features/datasets'
import { errorMessage } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { formatEta } from '../hooks/charts'
import { useEstimate } from '../hooks/queries'
import type { Wizard } from '../hooks/wizard'
import { configBody, validateConfig } from '../hooks/wizard-form'
import { FieldError, FormField } from './form-field'

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-4 border-b py-1.5 text-sm last:border-0">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="text-right font-medium">{children}</dd>
    </div>
  )
}

function Estimate({ wizard }: { wizard: Wizard }) {
  const { state, arch } = wizard
  const valid = Object.keys(validateConfig(state.config, arch)).length === 0
  const config = valid ? configBody(state.config) : null
  const params =
    config && state.versionId !== null && state.architecture
      ? {
          dataset_version_id: state.versionId,
          architecture: state.architecture,
          epochs: config.epochs ?? 1,
          image_size: config.image_size ?? 640,
          batch_size: config.batch_size ?? 1,
        }
      : null
  const estimate = useEstimate(params)
  return (
    <div className="flex items-start gap-3 rounded-md border bg-muted/20 p-3 text-sm" data-testid="training-estimate">
      <ClockIcon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
      {estimate.isPending ? (
        <span className="text-muted-foreground">Estimating…</span>
      ) : estimate.isError ? (
        <span className="text-muted-foreground">No estimate: {errorMessage(estimate.error)}</span>
      ) : (
        <span>
          About <strong>{formatEta(estimate.data.seconds) ?? '—'}</strong> on {estimate.data.device} ·{' '}
          {formatCount(estimate.data.images_per_epoch)} images per epoch.
          <span className="block text-xs text-muted-foreground">
            A rough figure from the image count and the architecture; the run page shows the real ETA once epochs finish.
          </span>
        </span>
      )}
    </div>
  )
}

function Summary({ wizard }: { wizard: Wizard }) {
  const { state, arch } = wizard
  const datasets = useDatasetChoices()
  const versions = useVersions(state.datasetId ?? -1)
  const dataset = datasets.data?.find((d) => d.id === state.datasetId)
  const version = versions.data?.items.find((v) => v.id === state.versionId)
  const c = state.config
  const weights = c.init_model_id !== null ? `fine-tune model #${c.init_model_id}` : c.pretrained ? 'pretrained (COCO)' : 'from scratch'
  return (
    <dl className="rounded-md border px-3" data-testid="wizard-summary">
      <Row label="Dataset">{dataset ? `${dataset.name} v${version?.number ?? '?'}` : '—'}</Row>
      <Row label="Train / val / test images">
        {version ? ['train', 'val', 'test'].map((s) => formatCount(version.counts.images[s] ?? 0)).join(' / ') : '—'}
      </Row>
      <Row label="Architecture">{arch ? `${arch.title} (${arch.key})` : '—'}</Row>
      <Row label="Weights">{weights}</Row>
      <Row label="Preset">{c.preset ?? 'custom'}</Row>
      <Row label="Epochs · batch · image size">{`${c.epochs} · ${c.batch_size} · ${c.image_size} px`}</Row>
      <Row label="Learning rate · weight decay">{`${c.learning_rate} · ${c.weight_decay}`}</Row>
      <Row label="Scheduler · warmup · patience">{`${c.scheduler} · ${c.warmup_epochs} · ${c.patience || 'off'}`}</Row>
      <Row label="Augmentation · seed">{`${c.augmentation} · ${c.seed}`}</Row>
      <Row label="Device · mixed precision">{`${c.device} · ${c.mixed_precision ? (c.device.trim() === 'cpu' ? 'on (ignored on the CPU)' : 'on') : 'off'}`}</Row>
    </dl>
  )
}

/** Step 4: a name, everything chosen, the estimate, and any refusal that names no field. */
export function StepReview({ wizard }: { wizard: Wizard }) {
  const arch = wizard.arch
  return (
    <div className="flex flex-col gap-4">
      <FormField id="wizard-name" label="Run name" field="name" errors={wizard.errors} hint="Optional; defaults to “architecture on dataset vN”.">
        <Input
          id="wizard-name"
          className="max-w-md"
          value={wizard.state.name}
          placeholder={arch ? `${arch.key} on …` : ''}
          onChange={(e) => wizard.setName(e.target.value)}
          data-testid="wizard-name"
        />
      </FormField>
      <Summary wizard={wizard} />
      <Estimate wizard={wizard} />
      <FieldError errors={wizard.errors} field="" />
    </div>
  )
}
