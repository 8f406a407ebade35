import { Input } from '@/components/ui/input'
import { FormField } from '@/features/training'
import type { CreateRunForm } from '../hooks/create-form'
import type { NumberField } from '../hooks/run-form'

interface ConfigNumberProps {
  form: CreateRunForm
  field: NumberField
  label: string
  hint?: string
}

/** A numeric method setting kept as the text typed, its error (from the checks or the API) under it. */
export function ConfigNumber({ form, field, label, hint }: ConfigNumberProps) {
  const id = `pr-run-${field}`
  const apiField = `config.${field}`
  return (
    <FormField id={id} label={label} field={apiField} errors={form.errors} hint={hint}>
      <Input
        id={id}
        type="text"
        inputMode="decimal"
        value={form.draft.config[field]}
        aria-invalid={form.errors[apiField] ? true : undefined}
        onChange={(e) => form.setConfig(field, e.target.value)}
        data-testid={id}
      />
    </FormField>
  )
}
