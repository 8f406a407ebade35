import { useState } from 'react'
import { ChevronDownIcon, ChevronRightIcon } from 'lucide-react'
import { cn } from '@/lib/utils'
import type { Wizard } from '../hooks/wizard'
import { applyPreset, PRESET_KEYS, PRESETS, type ConfigDraft } from '../hooks/wizard-form'
import { AdvancedSettings } from './advanced-settings'
import { NumberSetting } from './number-setting'

function PresetCards({ config, onPick }: { config: ConfigDraft; onPick: (c: ConfigDraft) => void }) {
  return (
    <div role="radiogroup" aria-label="Preset" className="grid gap-2 md:grid-cols-3">
      {PRESET_KEYS.map((key) => (
        <button
          key={key}
          type="button"
          role="radio"
          aria-checked={config.preset === key}
          onClick={() => onPick(applyPreset(config, key))}
          data-testid={`preset-${key}`}
          className={cn(
            'flex flex-col gap-1 rounded-md border p-3 text-left text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring/40',
            config.preset === key && 'border-primary ring-1 ring-primary',
          )}
        >
          <span className="font-medium">{PRESETS[key].title}</span>
          <span className="text-xs text-muted-foreground">{PRESETS[key].summary}</span>
          <span className="text-xs text-muted-foreground tabular-nums">
            {PRESETS[key].epochs} epochs · {PRESETS[key].augmentation} augmentation
          </span>
        </button>
      ))}
    </div>
  )
}

/** Step 3: a preset, the three settings everyone changes, and the rest behind "Advanced". */
export function StepSettings({ wizard }: { wizard: Wizard }) {
  const [open, setOpen] = useState(false)
  const { config } = wizard.state
  const multiple = wizard.arch?.size_multiple ?? 32
  const advancedErrors = Object.keys(wizard.errors).some((f) => f.startsWith('config.') && !['config.epochs', 'config.batch_size', 'config.image_size'].includes(f))
  const shown = open || advancedErrors
  return (
    <div className="flex flex-col gap-5">
      <PresetCards config={config} onPick={(c) => wizard.setConfig(c, ['epochs', 'batch_size', 'learning_rate', 'patience'])} />
      {config.preset === null ? <p className="text-xs text-muted-foreground">Custom settings (edited after a preset).</p> : null}
      <div className="grid gap-4 sm:grid-cols-3">
        <NumberSetting wizard={wizard} field="epochs" label="Epochs" hint="1 to 1000." />
        <NumberSetting wizard={wizard} field="batch_size" label="Batch size" hint="Lower it if the GPU runs out of memory." />
        <NumberSetting wizard={wizard} field="image_size" label="Image size (px)" hint={`A multiple of ${multiple}.`} />
      </div>
      <button
        type="button"
        className="flex w-fit items-center gap-1 text-sm font-medium text-primary"
        aria-expanded={shown}
        onClick={() => setOpen((o) => !o)}
        data-testid="advanced-toggle"
      >
        {shown ? <ChevronDownIcon className="size-4" aria-hidden /> : <ChevronRightIcon className="size-4" aria-hidden />}
        Advanced settings
      </button>
      {shown ? <AdvancedSettings wizard={wizard} /> : null}
    </div>
  )
}
