import { KeyRoundIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import type { PrBackbone } from '@/lib/api'
import { cn } from '@/lib/utils'

/** Why a backbone may not train as asked: weights to fetch, or a hub token it needs. */
export function backboneNote(backbone: PrBackbone, pretrained: boolean): string | null {
  if (!pretrained) return 'Trains from random weights: no download, for tests and benchmarks.'
  if (backbone.installed) return null
  if (backbone.gated && !backbone.token_set)
    return `${backbone.title} is gated on the hub: accept its licence there and set SHELFSCOPE_ML_HUB_TOKEN, or copy its folder into the data folder's models/${backbone.key}/.`
  return `Its weights (${backbone.size_mb} MB) are fetched from the hub when the run starts, or copy them into models/${backbone.key}/ offline.`
}

function BackboneCard({ backbone, picked, onPick }: { backbone: PrBackbone; picked: boolean; onPick: () => void }) {
  return (
    <button
      type="button"
      role="radio"
      aria-checked={picked}
      onClick={onPick}
      data-testid={`backbone-${backbone.key}`}
      className={cn(
        'flex flex-col gap-1 rounded-md border p-2.5 text-left text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring/40',
        picked && 'border-primary ring-1 ring-primary',
      )}
    >
      <span className="font-medium">{backbone.title}</span>
      <span className="font-mono text-[11px] text-muted-foreground">{backbone.key}</span>
      <span className="flex flex-wrap gap-1">
        {backbone.installed ? <Badge variant="success">installed</Badge> : <Badge variant="secondary">{backbone.size_mb} MB</Badge>}
        {backbone.gated ? (
          <Badge variant={backbone.token_set ? 'info' : 'warning'}>
            <KeyRoundIcon aria-hidden /> {backbone.token_set ? 'token set' : 'needs token'}
          </Badge>
        ) : null}
      </span>
    </button>
  )
}

/** The DINOv2 / DINOv3 backbones as cards: size, installed, gated. */
export function BackbonePicker({ backbones, value, onChange }: { backbones: PrBackbone[]; value: string | null; onChange: (key: string) => void }) {
  return (
    <div role="radiogroup" aria-label="Backbone" className="grid gap-2 sm:grid-cols-3" data-testid="backbone-picker">
      {backbones.map((b) => (
        <BackboneCard key={b.key} backbone={b} picked={b.key === value} onPick={() => onChange(b.key)} />
      ))}
    </div>
  )
}
