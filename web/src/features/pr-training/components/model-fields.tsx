import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { ErrorState, LoadingState } from '@/components/states'
import { FieldError, FormField } from '@/features/training'
import type { CreateRunForm } from '../hooks/create-form'
import { BackbonePicker, backboneNote } from './backbone-picker'

/** Name, backbone and whether to start from its pretrained weights. */
export function ModelFields({ form }: { form: CreateRunForm }) {
  const { draft, backbones } = form
  const picked = backbones.data?.find((b) => b.key === form.backbone) ?? null
  const note = picked ? backboneNote(picked, draft.pretrained) : null
  return (
    <div className="flex flex-col gap-4">
      <FormField id="pr-run-name" label="Name" field="name" errors={form.errors} hint="Empty: named after the backbone and the data.">
        <Input
          id="pr-run-name"
          value={draft.name}
          placeholder="e.g. Dairy shelf, DINOv2 base"
          onChange={(e) => form.update({ name: e.target.value }, ['name'])}
          data-testid="pr-run-name"
        />
      </FormField>
      <div className="flex flex-col gap-1.5">
        <Label>Backbone</Label>
        {backbones.isPending ? (
          <LoadingState label="Loading backbones…" className="py-4" />
        ) : backbones.isError ? (
          <ErrorState error={backbones.error} title="Could not load the backbones" onRetry={() => void backbones.refetch()} className="py-4" />
        ) : (
          <BackbonePicker backbones={backbones.data} value={form.backbone} onChange={(key) => form.update({ backbone: key }, ['backbone'])} />
        )}
        <FieldError errors={form.errors} field="backbone" />
      </div>
      <div className="flex items-center gap-2">
        <Checkbox
          id="pr-run-pretrained"
          checked={draft.pretrained}
          onCheckedChange={(v) => form.update({ pretrained: v === true }, ['pretrained', 'backbone'])}
          data-testid="pr-run-pretrained"
        />
        <Label htmlFor="pr-run-pretrained">Start from the pretrained weights</Label>
      </div>
      {note ? (
        <p className="text-xs text-muted-foreground" data-testid="backbone-note">
          {note}
        </p>
      ) : null}
    </div>
  )
}
