import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import type { SplitRatios } from '@/lib/api'
import { cn } from '@/lib/utils'

/** Ratios as typed (strings while editing). */
export type RatioDraft = Record<keyof SplitRatios, string>

export const DEFAULT_RATIOS: RatioDraft = { train: '0.7', val: '0.2', test: '0.1' }
const SPLITS: (keyof SplitRatios)[] = ['train', 'val', 'test']

/** Parsed ratios, or the sentence that says why they cannot be used (each 0..1, summing to 1). */
export function parseRatios(draft: RatioDraft): { ratios: SplitRatios } | { error: string } {
  const values: Partial<SplitRatios> = {}
  for (const split of SPLITS) {
    const text = draft[split].trim()
    const value = Number(text)
    if (text === '' || !Number.isFinite(value)) return { error: `The ${split} ratio must be a number.` }
    if (value < 0 || value > 1) return { error: `The ${split} ratio must be between 0 and 1.` }
    values[split] = value
  }
  const ratios = values as SplitRatios
  const sum = ratios.train + ratios.val + ratios.test
  if (Math.abs(sum - 1) > 1e-6) return { error: `Train + val + test must add up to 1 (now ${Number(sum.toFixed(4))}).` }
  return { ratios }
}

export function SplitRatiosFields({
  idPrefix,
  value,
  onChange,
}: {
  idPrefix: string
  value: RatioDraft
  onChange: (next: RatioDraft) => void
}) {
  const parsed = parseRatios(value)
  return (
    <div className="flex flex-col gap-1.5">
      <div className="grid grid-cols-3 gap-2">
        {SPLITS.map((split) => (
          <div key={split} className="flex flex-col gap-1">
            <Label htmlFor={`${idPrefix}-${split}`} className="text-xs capitalize">
              {split === 'val' ? 'Validation' : split}
            </Label>
            <Input
              id={`${idPrefix}-${split}`}
              type="number"
              inputMode="decimal"
              step="0.05"
              min="0"
              max="1"
              value={value[split]}
              aria-invalid={'error' in parsed}
              onChange={(e) => onChange({ ...value, [split]: e.target.value })}
            />
          </div>
        ))}
      </div>
      <p
        className={cn('text-xs', 'error' in parsed ? 'text-destructive' : 'text-muted-foreground')}
        data-testid={`${idPrefix}-ratios-note`}
        role={'error' in parsed ? 'alert' : undefined}
      >
        {'error' in parsed ? parsed.error : 'Fractions of the images per split; they add up to 1.'}
      </p>
    </div>
  )
}
