import { Checkbox } from '@/components/ui/checkbox'
import { Label } from '@/components/ui/label'
import { Input } from '@/components/ui/input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Textarea } from '@/components/ui/textarea'
import { AUGMENTATIONS, SCHEDULERS } from '@/lib/api'
import type { Wizard } from '../hooks/wizard'
import { editDraft, type ConfigDraft } from '../hooks/wizard-form'
import { FormField } from './form-field'
import { NumberSetting } from './number-setting'

type ChoiceKey = 'scheduler' | 'augmentation'

function ChoiceSetting({ wizard, field, label, options }: { wizard: Wizard; field: ChoiceKey; label: string; options: readonly string[] }) {
  const { config } = wizard.state
  return (
    <FormField id={`wizard-${field}`} label={label} field={`config.${field}`} errors={wizard.errors}>
      <Select value={config[field]} onValueChange={(v) => wizard.setConfig(editDraft(config, field, v as ConfigDraft[ChoiceKey]), [field])}>
        <SelectTrigger id={`wizard-${field}`} data-testid={`wizard-${field}`}>
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

function DeviceAndPrecision({ wizard }: { wizard: Wizard }) {
  const { config } = wizard.state
  return (
    <>
      <FormField id="wizard-device" label="Device" field="config.device" errors={wizard.errors} hint="auto, cpu, cuda, cuda:N or mps.">
        <Input
          id="wizard-device"
          value={config.device}
          onChange={(e) => wizard.setConfig(editDraft(config, 'device', e.target.value), ['device'])}
          data-testid="wizard-device"
        />
      </FormField>
      <div className="flex items-center gap-2 self-end pb-2">
        <Checkbox
          id="wizard-mixed-precision"
          checked={config.mixed_precision}
          onCheckedChange={(v) => wizard.setConfig(editDraft(config, 'mixed_precision', v === true), ['mixed_precision'])}
        />
        <Label htmlFor="wizard-mixed-precision">Mixed precision (GPU only)</Label>
      </div>
    </>
  )
}

/** Learning rate, regularisation, schedule, early stopping, augmentation, seed, device, model overrides. */
export function AdvancedSettings({ wizard }: { wizard: Wizard }) {
  const { config } = wizard.state
  return (
    <div className="grid gap-4 rounded-md border bg-muted/20 p-4 sm:grid-cols-3" data-testid="advanced-settings">
      <NumberSetting wizard={wizard} field="learning_rate" label="Learning rate" step="any" />
      <NumberSetting wizard={wizard} field="weight_decay" label="Weight decay" step="any" />
      <NumberSetting wizard={wizard} field="warmup_epochs" label="Warmup epochs" />
      <ChoiceSetting wizard={wizard} field="scheduler" label="LR scheduler" options={SCHEDULERS} />
      <NumberSetting wizard={wizard} field="patience" label="Early-stopping patience" hint="Epochs without a better val mAP; empty turns it off." />
      <ChoiceSetting wizard={wizard} field="augmentation" label="Augmentation" options={AUGMENTATIONS} />
      <NumberSetting wizard={wizard} field="seed" label="Seed" />
      <DeviceAndPrecision wizard={wizard} />
      <FormField
        id="wizard-overrides"
        label="Model overrides (JSON)"
        field="config.model_overrides"
        errors={wizard.errors}
        hint="Passed to the architecture's constructor; for experts and tests."
        className="sm:col-span-3"
      >
        <Textarea
          id="wizard-overrides"
          rows={2}
          className="font-mono text-xs"
          placeholder='{"num_queries": 100}'
          value={config.model_overrides}
          onChange={(e) => wizard.setConfig(editDraft(config, 'model_overrides', e.target.value), ['model_overrides'])}
          data-testid="wizard-overrides"
        />
      </FormField>
    </div>
  )
}
