/** Choose a catalogue model; each shows whether its weights are here, and a missing one links to Settings → Models. */
import { CircleAlertIcon, CircleCheckIcon } from 'lucide-react'
import { Link } from 'react-router'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import type { AiModel } from '@/lib/api'
import { formatBytes } from '@/lib/format'

/** Where the models page lives (built with the weights management). */
export const MODELS_SETTINGS_PATH = '/settings/models'

function ModelStatus({ model }: { model: AiModel }) {
  return model.present ? (
    <span className="inline-flex items-center gap-1 text-xs text-emerald-700">
      <CircleCheckIcon className="size-3" aria-hidden /> ready{model.size_on_disk ? ` · ${formatBytes(model.size_on_disk)}` : ''}
    </span>
  ) : (
    <span className="inline-flex items-center gap-1 text-xs text-amber-700">
      <CircleAlertIcon className="size-3" aria-hidden /> weights missing · {model.size_mb} MB
    </span>
  )
}

export interface ModelSelectProps {
  models: readonly AiModel[]
  value: string | null
  onChange: (key: string) => void
  label?: string
  className?: string
  id?: string
  /** Leave out the model's note (narrow panels). */
  compact?: boolean
}

export function ModelSelect({ models, value, onChange, label = 'Model', className, id, compact = false }: ModelSelectProps) {
  const chosen = models.find((m) => m.key === value)
  return (
    <div className={className}>
      <Select value={value ?? ''} onValueChange={onChange}>
        <SelectTrigger aria-label={label} id={id} data-testid="model-select" className="h-auto min-h-9 w-full">
          <SelectValue placeholder="Choose a model" />
        </SelectTrigger>
        <SelectContent>
          {models.map((m) => (
            <SelectItem key={m.key} value={m.key} data-testid={`model-option-${m.key}`} data-present={m.present}>
              <span className="flex flex-col items-start">
                <span>{m.title}</span>
                <ModelStatus model={m} />
              </span>
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      {chosen && !chosen.present ? (
        <p className="mt-1 text-xs text-amber-700" data-testid="model-missing">
          Its weights are not on this server.{' '}
          <Link className="font-medium underline" to={MODELS_SETTINGS_PATH}>
            Fetch or import them in Settings → Models
          </Link>
          .
        </p>
      ) : null}
      {chosen?.note && !compact ? <p className="mt-1 text-xs text-muted-foreground">{chosen.note}</p> : null}
    </div>
  )
}
