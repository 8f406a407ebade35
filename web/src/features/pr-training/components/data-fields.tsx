import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { usePrDatasets } from '@/features/pr-datasets'
import { DOMAIN_HINT, DOMAIN_LABEL } from '@/features/products'
import { FieldError, FormField } from '@/features/training'
import { FRAME_SELECTIONS, PR_DATA_SOURCES, PRODUCT_DOMAINS, type FrameSelection, type PrDataSource, type ProductDomain } from '@/lib/api'
import type { CreateRunForm } from '../hooks/create-form'
import type { RunDraft } from '../hooks/run-form'
import { DataShortfallNote } from './data-shortfall'

const SOURCE_LABEL: Record<PrDataSource, string> = {
  all_products: 'All products',
  matched_products: 'Products with a matched cutout',
  dataset: 'A product dataset',
}

const FRAME_LABEL: Record<FrameSelection, string> = {
  all: 'Every frame',
  first: 'The first frame of each video',
  key_frames: 'Key frames (videos extracted by key frame)',
  interval: 'Every n-th frame',
}

function SourceFields({ form }: { form: CreateRunForm }) {
  const { draft } = form
  const datasets = usePrDatasets(null)
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <FormField id="pr-run-source" label="Products" field="data.source" errors={form.errors}>
        <Select value={draft.source} onValueChange={(v) => form.update({ source: v as PrDataSource }, ['data', 'data.source', 'data.dataset_id'])}>
          <SelectTrigger id="pr-run-source" data-testid="pr-run-source">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {PR_DATA_SOURCES.map((s) => (
              <SelectItem key={s} value={s}>
                {SOURCE_LABEL[s]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </FormField>
      {draft.source === 'dataset' ? (
        <FormField id="pr-run-dataset" label="Product dataset" field="data.dataset_id" errors={form.errors} hint={datasets.data?.items.length === 0 ? 'No product dataset yet: make one on the Datasets page.' : undefined}>
          <Select value={draft.datasetId === null ? '' : String(draft.datasetId)} onValueChange={(v) => form.update({ datasetId: Number(v) }, ['data', 'data.dataset_id'])}>
            <SelectTrigger id="pr-run-dataset" aria-label="Product dataset" data-testid="pr-run-dataset">
              <SelectValue placeholder="Pick a dataset" />
            </SelectTrigger>
            <SelectContent>
              {(datasets.data?.items ?? []).map((d) => (
                <SelectItem key={d.id} value={String(d.id)}>
                  {d.name} · {d.product_count} products
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </FormField>
      ) : null}
    </div>
  )
}

function DomainFields({ form }: { form: CreateRunForm }) {
  const { domains } = form.draft
  const toggle = (d: ProductDomain, on: boolean) =>
    form.update({ domains: on ? [...domains, d] : domains.filter((x) => x !== d) }, ['data', 'data.domains'])
  return (
    <fieldset className="flex flex-col gap-1.5">
      <legend className="mb-1.5 text-sm font-medium">Image domains</legend>
      <div className="flex flex-wrap gap-4">
        {PRODUCT_DOMAINS.map((d) => (
          <div key={d} className="flex items-center gap-2" title={DOMAIN_HINT[d]}>
            <Checkbox id={`pr-run-domain-${d}`} checked={domains.includes(d)} onCheckedChange={(v) => toggle(d, v === true)} data-testid={`pr-run-domain-${d}`} />
            <Label htmlFor={`pr-run-domain-${d}`}>{DOMAIN_LABEL[d]}</Label>
          </div>
        ))}
      </div>
      <FieldError errors={form.errors} field="data.domains" />
    </fieldset>
  )
}

function FrameFields({ form }: { form: CreateRunForm }) {
  const { draft } = form
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <FormField id="pr-run-frames" label="Video frames" field="data.frames.mode" errors={form.errors} hint="Images extracted from product videos.">
        <Select value={draft.frameMode} onValueChange={(v) => form.update({ frameMode: v as FrameSelection }, ['data', 'data.frames', 'data.frames.mode'])}>
          <SelectTrigger id="pr-run-frames" data-testid="pr-run-frames">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {FRAME_SELECTIONS.map((m) => (
              <SelectItem key={m} value={m}>
                {FRAME_LABEL[m]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </FormField>
      {draft.frameMode === 'interval' ? (
        <FormField id="pr-run-every" label="Every n-th frame" field="data.frames.every" errors={form.errors}>
          <Input id="pr-run-every" inputMode="numeric" value={draft.frameEvery} onChange={(e) => form.update({ frameEvery: e.target.value }, ['data', 'data.frames.every'])} data-testid="pr-run-every" />
        </FormField>
      ) : null}
    </div>
  )
}

function SplitFields({ form }: { form: CreateRunForm }) {
  const { split } = form.draft
  const set = (key: keyof RunDraft['split'], value: string) => form.update({ split: { ...split, [key]: value } }, ['data', 'data.split'])
  return (
    <fieldset className="flex flex-col gap-1.5">
      <legend className="mb-1.5 text-sm font-medium">Split by product (no product in two splits)</legend>
      <div className="grid grid-cols-3 gap-3">
        {(['train', 'val', 'test'] as const).map((key) => (
          <div key={key} className="flex flex-col gap-1">
            <Label htmlFor={`pr-run-split-${key}`} className="text-xs text-muted-foreground">
              {key}
            </Label>
            <Input id={`pr-run-split-${key}`} inputMode="decimal" value={split[key]} aria-invalid={form.errors['data.split'] ? true : undefined} onChange={(e) => set(key, e.target.value)} data-testid={`pr-run-split-${key}`} />
          </div>
        ))}
      </div>
      <FieldError errors={form.errors} field="data.split" />
    </fieldset>
  )
}

/** Which products and images train, and how they split. */
export function DataFields({ form }: { form: CreateRunForm }) {
  const { draft } = form
  return (
    <div className="flex flex-col gap-4">
      <DataShortfallNote form={form} />
      <SourceFields form={form} />
      <DomainFields form={form} />
      <FrameFields form={form} />
      <SplitFields form={form} />
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="pr-run-min-images" label="Minimum images per product" field="data.min_images_per_product" errors={form.errors} hint="Products with fewer images are left out.">
          <Input id="pr-run-min-images" inputMode="numeric" value={draft.minImages} onChange={(e) => form.update({ minImages: e.target.value }, ['data', 'data.min_images_per_product'])} data-testid="pr-run-min-images" />
        </FormField>
        <FormField id="pr-run-data-seed" label="Split seed" field="data.seed" errors={form.errors}>
          <Input id="pr-run-data-seed" inputMode="numeric" value={draft.dataSeed} onChange={(e) => form.update({ dataSeed: e.target.value }, ['data', 'data.seed'])} data-testid="pr-run-data-seed" />
        </FormField>
      </div>
    </div>
  )
}
