import { Input } from '@/components/ui/input'
import type { Wizard } from '../hooks/wizard'
import { editDraft, type NumericField } from '../hooks/wizard-form'
import { FormField } from './form-field'

interface NumberInputProps {
  wizard: Wizard
  field: NumericField
  label: string
  hint?: string
  step?: string
}

/** A number setting kept as text, its error (from the checks or the API) under it. */
export function NumberSetting({ wizard, field, label, hint, step = '1' }: NumberInputProps) {
  const { config } = wizard.state
  return (
    <FormField id={`wizard-${field}`} label={label} field={`config.${field}`} errors={wizard.errors} hint={hint}>
      <Input
        id={`wizard-${field}`}
        inputMode="decimal"
        type="text"
        step={step}
        value={config[field]}
        aria-invalid={wizard.errors[`config.${field}`] ? true : undefined}
        onChange={(e) => wizard.setConfig(editDraft(config, field, e.target.value), [field])}
        data-testid={`wizard-${field}`}
      />
    </FormField>
  )
}
