import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useModels } from '@/features/models'
import { formatMetric } from '../hooks/charts'
import type { Wizard } from '../hooks/wizard'
import { editDraft } from '../hooks/wizard-form'
import { FormField } from './form-field'

const NONE = 'none'

/** Fine-tune from a registered model of the same architecture instead of fresh or COCO weights. */
export function FineTuneSelect({ wizard, architecture }: { wizard: Wizard; architecture: string }) {
  const models = useModels({ architecture })
  const { config } = wizard.state
  const items = models.data?.items.filter((m) => m.architecture === architecture) ?? []
  const onChange = (value: string) => {
    const id = value === NONE ? null : Number(value)
    const next = editDraft(config, 'init_model_id', id)
    wizard.setConfig(id === null ? next : { ...next, pretrained: false }, ['init_model_id'])
  }
  return (
    <FormField
      id="wizard-init-model"
      label="Fine-tune from a registered model"
      field="config.init_model_id"
      errors={wizard.errors}
      hint={items.length === 0 ? `No registered ${architecture} model yet.` : 'Its weights replace the pretrained ones.'}
    >
      <Select value={config.init_model_id === null ? NONE : String(config.init_model_id)} onValueChange={onChange} disabled={items.length === 0}>
        <SelectTrigger id="wizard-init-model" className="max-w-md" data-testid="wizard-init-model">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={NONE}>None</SelectItem>
          {items.map((m) => (
            <SelectItem key={m.id} value={String(m.id)}>
              {m.name} · mAP50-95 {formatMetric(m.metrics?.map50_95)}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </FormField>
  )
}
