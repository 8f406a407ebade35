/** The make-cutouts form's fields: dataset, where the boxes come from, classes, detector and numbers. */
import type * as React from 'react'
import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Segmented } from '@/components/ui/segmented'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { ModelSelect, modelsOfTask, useMlModels } from '@/features/ai'
import { useDatasetChoices } from '@/features/datasets'
import type { CutoutSource } from '@/lib/api'
import { formatCount } from '@/lib/format'
import type { MakeCutoutsForm } from '../hooks/logic'
import { useClassChoices } from '../hooks/queries'

const SOURCES: { value: CutoutSource; label: string }[] = [
  { value: 'annotations', label: 'Its annotations' },
  { value: 'predictions', label: "A detector's predictions" },
]

function Field({ label, htmlFor, error, children }: { label: string; htmlFor?: string; error?: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={htmlFor}>{label}</Label>
      {children}
      {error ? <p className="text-xs text-destructive">{error}</p> : null}
    </div>
  )
}

function ClassChoice({ datasetId, value, onChange }: { datasetId: number | null; value: number[]; onChange: (ids: number[]) => void }) {
  const classes = useClassChoices(datasetId)
  const items = classes.data ?? []
  if (datasetId === null) return <p className="text-xs text-muted-foreground">Choose a dataset to see its classes.</p>
  if (items.length === 0) return <p className="text-xs text-muted-foreground">{classes.isPending ? 'Loading classes…' : 'This dataset has no classes yet.'}</p>
  const toggle = (id: number, on: boolean) => onChange(on ? [...value, id] : value.filter((v) => v !== id))
  return (
    <div className="flex max-h-36 flex-wrap gap-x-4 gap-y-1.5 overflow-y-auto rounded-md border p-2" data-testid="make-classes">
      {items.map((c) => (
        <label key={c.id} className="flex items-center gap-1.5 text-sm">
          <Checkbox checked={value.includes(c.id)} onCheckedChange={(on) => toggle(c.id, on === true)} data-testid={`make-class-${c.name}`} />
          <span className="size-2 rounded-full" style={{ backgroundColor: c.color }} aria-hidden />
          {c.display_name || c.name}
          <span className="text-xs text-muted-foreground">({formatCount(c.annotation_count)})</span>
        </label>
      ))}
    </div>
  )
}

function PredictionFields({ form, errors, onChange }: { form: MakeCutoutsForm; errors: Record<string, string>; onChange: (p: Partial<MakeCutoutsForm>) => void }) {
  const models = modelsOfTask(useMlModels().data, 'detector')
  const chosen = models.find((m) => m.key === form.model)
  const prompted = chosen?.capabilities.includes('text_prompt') ?? false
  return (
    <>
      <Field label="Detector" error={errors.model}>
        <ModelSelect models={models} value={form.model} onChange={(model) => onChange({ model })} label="Detector" compact />
      </Field>
      {prompted ? (
        <Field label="Prompts (comma-separated)" htmlFor="make-prompts">
          <Input id="make-prompts" placeholder="bottle, carton, can" value={form.prompts} onChange={(e) => onChange({ prompts: e.target.value })} />
        </Field>
      ) : null}
      <Field label="Confidence threshold" htmlFor="make-threshold" error={errors.threshold}>
        <Input id="make-threshold" type="number" step="0.05" min="0" max="1" className="w-28" value={form.threshold} onChange={(e) => onChange({ threshold: e.target.value })} data-testid="make-threshold" />
      </Field>
    </>
  )
}

export function MakeCutoutsFields({ form, errors, onChange }: { form: MakeCutoutsForm; errors: Record<string, string>; onChange: (p: Partial<MakeCutoutsForm>) => void }) {
  const datasets = useDatasetChoices()
  return (
    <div className="flex flex-col gap-4">
      <Field label="Object-detection dataset" error={errors.dataset_id}>
        <Select value={form.datasetId ? String(form.datasetId) : ''} onValueChange={(v) => onChange({ datasetId: Number(v), classIds: [] })}>
          <SelectTrigger aria-label="Dataset" data-testid="make-dataset">
            <SelectValue placeholder={datasets.isPending ? 'Loading datasets…' : 'Choose a dataset'} />
          </SelectTrigger>
          <SelectContent>
            {(datasets.data ?? []).map((d) => (
              <SelectItem key={d.id} value={String(d.id)}>
                {d.name} ({formatCount(d.annotation_count)} boxes)
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </Field>
      <Field label="Boxes from">
        <Segmented label="Boxes from" value={form.source} options={SOURCES} onChange={(source) => onChange({ source })} testId="make-source" />
      </Field>
      <Field label="Classes (none ticked: every class)">
        <ClassChoice datasetId={form.datasetId} value={form.classIds} onChange={(classIds) => onChange({ classIds })} />
      </Field>
      {form.source === 'predictions' ? <PredictionFields form={form} errors={errors} onChange={onChange} /> : null}
      <Field label="Margin around the box (fraction of its size)" htmlFor="make-margin" error={errors.margin}>
        <Input id="make-margin" type="number" step="0.01" min="0" max="1" className="w-28" value={form.margin} onChange={(e) => onChange({ margin: e.target.value })} data-testid="make-margin" />
      </Field>
    </div>
  )
}
