/** The auto-annotate form's fields: scope, unknown labels, and the numbers (threshold, max boxes, NMS IoU). */
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Segmented } from '@/components/ui/segmented'
import type { AnnotateScope } from '@/lib/api'
import { formatCount } from '@/lib/format'
import type { AnnotateForm } from '../hooks/annotate-form'
import type { PromptTarget } from '../hooks/annotate-state'

export function ScopeField({ value, selectedCount, onChange }: { value: AnnotateScope; selectedCount: number; onChange: (scope: AnnotateScope) => void }) {
  const options: { value: AnnotateScope; label: string }[] = [
    { value: 'all', label: 'All images' },
    { value: 'unannotated', label: 'Unannotated only' },
  ]
  if (selectedCount > 0) options.push({ value: 'selected', label: `Selected (${formatCount(selectedCount)})` })
  return (
    <div className="flex flex-col gap-1.5">
      <Label>Images</Label>
      <Segmented label="Images" value={value} options={options} onChange={onChange} testId="annotate-scope" />
    </div>
  )
}

export function UnknownLabelsField({ value, classes, onChange }: { value: AnnotateForm['unknownLabels']; classes: readonly PromptTarget[]; onChange: (v: AnnotateForm['unknownLabels']) => void }) {
  const first = classes[0]?.id
  return (
    <div className="flex flex-col gap-1.5">
      <Label>Labels the model names itself that match no prompt or class</Label>
      <div className="flex flex-wrap items-center gap-2">
        <Segmented
          label="Unknown labels"
          value={value === 'drop' ? 'drop' : 'class'}
          options={[
            { value: 'drop', label: 'Drop them' },
            { value: 'class', label: 'Send to a class' },
          ]}
          onChange={(v) => onChange(v === 'drop' || first === undefined ? 'drop' : first)}
          testId="unknown-labels"
        />
        {value !== 'drop' ? (
          <select aria-label="Class for unknown labels" className="h-8 rounded-md border bg-card px-2 text-sm" value={value} onChange={(e) => onChange(Number(e.target.value))}>
            {classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.display_name || c.name}
              </option>
            ))}
          </select>
        ) : null}
      </div>
    </div>
  )
}

function NumberField({ id, label, value, step, min, max, onChange }: { id: string; label: string; value: number; step: number; min: number; max: number; onChange: (n: number) => void }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} type="number" inputMode="decimal" step={step} min={min} max={max} value={Number.isNaN(value) ? '' : value} onChange={(e) => onChange(e.target.valueAsNumber)} className="h-8" />
    </div>
  )
}

export function NumbersField({ form, onChange }: { form: AnnotateForm; onChange: (patch: Partial<AnnotateForm>) => void }) {
  return (
    <div className="grid grid-cols-3 gap-3">
      <NumberField id="ai-threshold" label="Confidence threshold" value={form.threshold} step={0.05} min={0} max={1} onChange={(threshold) => onChange({ threshold })} />
      <NumberField id="ai-max-boxes" label="Max boxes per image" value={form.maxBoxes} step={1} min={1} max={1000} onChange={(maxBoxes) => onChange({ maxBoxes })} />
      <NumberField id="ai-nms" label="Overlap (NMS IoU)" value={form.nmsIou} step={0.05} min={0.05} max={1} onChange={(nmsIou) => onChange({ nmsIou })} />
    </div>
  )
}
