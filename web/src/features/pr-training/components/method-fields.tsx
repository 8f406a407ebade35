import { ChevronDownIcon, ChevronRightIcon } from 'lucide-react'
import { Checkbox } from '@/components/ui/checkbox'
import { Label } from '@/components/ui/label'
import { Segmented } from '@/components/ui/segmented'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { FormField } from '@/features/training'
import { EMBED_DEVICES, TRIPLET_MINERS, type EmbedDevice, type EmbedLoss, type TripletMiner } from '@/lib/api'
import type { CreateRunForm } from '../hooks/create-form'
import { ConfigNumber } from './config-number'

const LOSSES: { value: EmbedLoss; label: string }[] = [
  { value: 'arcface_triplet', label: 'ArcFace + triplet' },
  { value: 'arcface', label: 'ArcFace' },
]

/** Epochs, the P × K batch, sizes and the loss. */
export function MethodFields({ form }: { form: CreateRunForm }) {
  return (
    <div className="flex flex-col gap-4">
      <div className="grid gap-4 sm:grid-cols-3">
        <ConfigNumber form={form} field="epochs" label="Epochs" />
        <ConfigNumber form={form} field="products_per_batch" label="Products per batch (P)" />
        <ConfigNumber form={form} field="images_per_product" label="Images per product (K)" />
        <ConfigNumber form={form} field="image_size" label="Image size (px)" />
        <ConfigNumber form={form} field="embedding_dim" label="Embedding size" />
      </div>
      <FormField id="pr-run-loss" label="Loss" field="config.loss" errors={form.errors}>
        <Segmented label="Loss" value={form.draft.config.loss} options={LOSSES} onChange={(v) => form.setConfig('loss', v)} testId="pr-run-loss" />
      </FormField>
    </div>
  )
}

function Choice<T extends string>({ form, field, label, value, options, onChange }: { form: CreateRunForm; field: string; label: string; value: T; options: readonly T[]; onChange: (v: T) => void }) {
  const id = `pr-run-${field}`
  return (
    <FormField id={id} label={label} field={`config.${field}`} errors={form.errors}>
      <Select value={value} onValueChange={(v) => onChange(v as T)}>
        <SelectTrigger id={id} data-testid={id}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {options.map((o) => (
            <SelectItem key={o} value={o}>
              {o}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </FormField>
  )
}

function Toggle({ form, field, label }: { form: CreateRunForm; field: 'mixed_precision' | 'augmentation'; label: string }) {
  const id = `pr-run-${field}`
  return (
    <div className="flex items-center gap-2 self-end pb-2">
      <Checkbox id={id} checked={form.draft.config[field]} onCheckedChange={(v) => form.setConfig(field, v === true)} data-testid={id} />
      <Label htmlFor={id}>{label}</Label>
    </div>
  )
}

function AdvancedFields({ form }: { form: CreateRunForm }) {
  const { config } = form.draft
  return (
    <div className="grid gap-4 rounded-md border bg-muted/20 p-4 sm:grid-cols-3" data-testid="pr-run-advanced">
      <ConfigNumber form={form} field="arcface_weight" label="ArcFace weight" />
      <ConfigNumber form={form} field="triplet_weight" label="Triplet weight" />
      <ConfigNumber form={form} field="domain_weight" label="Domain weight" hint="Above 0 pulls a product's domains together." />
      <ConfigNumber form={form} field="arcface_margin" label="ArcFace margin (°)" />
      <ConfigNumber form={form} field="arcface_scale" label="ArcFace scale" />
      <ConfigNumber form={form} field="triplet_margin" label="Triplet margin" />
      <Choice<TripletMiner> form={form} field="miner" label="Triplet miner" value={config.miner} options={TRIPLET_MINERS} onChange={(v) => form.setConfig('miner', v)} />
      <ConfigNumber form={form} field="learning_rate" label="Learning rate" hint="Head and ArcFace weights." />
      <ConfigNumber form={form} field="backbone_lr_scale" label="Backbone LR scale" hint="The backbone's top layer: LR × this." />
      <ConfigNumber form={form} field="llrd" label="Layer-wise LR decay" hint="Each layer further down × this; 1 turns it off." />
      <ConfigNumber form={form} field="weight_decay" label="Weight decay" />
      <ConfigNumber form={form} field="warmup_epochs" label="Warmup epochs" hint="Linear warmup, then cosine to 0." />
      <ConfigNumber form={form} field="patience" label="Early-stopping patience" hint="Epochs without a better val R@1; 0 turns it off." />
      <ConfigNumber form={form} field="batches_per_epoch" label="Batches per epoch" hint="0: all training images once." />
      <ConfigNumber form={form} field="seed" label="Seed" />
      <Choice<EmbedDevice> form={form} field="device" label="Device" value={config.device} options={EMBED_DEVICES} onChange={(v) => form.setConfig('device', v)} />
      <Toggle form={form} field="mixed_precision" label="Mixed precision (CUDA)" />
      <Toggle form={form} field="augmentation" label="Augmentation (crops, colour)" />
    </div>
  )
}

/** The losses' weights and margins, the schedule, early stopping, precision, seed and device: collapsed at first. */
export function AdvancedSection({ form }: { form: CreateRunForm }) {
  return (
    <div className="flex flex-col gap-3">
      <button
        type="button"
        className="flex w-fit items-center gap-1 text-sm font-medium text-primary"
        aria-expanded={form.showAdvanced}
        onClick={form.toggleAdvanced}
        data-testid="pr-run-advanced-toggle"
      >
        {form.showAdvanced ? <ChevronDownIcon className="size-4" aria-hidden /> : <ChevronRightIcon className="size-4" aria-hidden />}
        Advanced settings
      </button>
      {form.showAdvanced ? <AdvancedFields form={form} /> : null}
    </div>
  )
}
