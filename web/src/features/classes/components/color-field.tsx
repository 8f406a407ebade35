import { useState } from 'react'
import { Input } from '@/components/ui/input'
import { CLASS_PALETTE } from '@/lib/class-colors'
import { cn } from '@/lib/utils'

const HEX = /^#[0-9a-f]{6}$/i

/** "#ABC" / "abc123" / "#aabbcc" → "#aabbcc", or null when it is not a colour. */
export function normalizeHex(raw: string): string | null {
  let value = raw.trim().toLowerCase()
  if (!value.startsWith('#')) value = `#${value}`
  if (/^#[0-9a-f]{3}$/.test(value)) value = `#${value[1]}${value[1]}${value[2]}${value[2]}${value[3]}${value[3]}`
  return HEX.test(value) ? value : null
}

/** The palette's swatches, with "Automatic" first when the field offers it. */
function Palette({ value, onPick, onAuto }: { value: string | null; onPick: (color: string) => void; onAuto?: () => void }) {
  return (
    <div className="flex flex-wrap gap-1.5" role="group" aria-label="Palette">
      {onAuto ? (
        <button
          type="button"
          aria-pressed={value === null}
          title="A colour no other class has yet"
          onClick={onAuto}
          className={cn(
            'h-6 rounded-full border px-2 text-xs text-muted-foreground hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring/50 focus-visible:outline-none',
            value === null && 'bg-accent font-medium text-foreground ring-2 ring-ring ring-offset-2',
          )}
        >
          Automatic
        </button>
      ) : null}
      {CLASS_PALETTE.map((color) => (
        <button
          key={color}
          type="button"
          aria-label={`Use ${color}`}
          aria-pressed={value === color}
          onClick={() => onPick(color)}
          className={cn(
            'size-6 rounded-full border border-black/10 transition-transform hover:scale-110 focus-visible:ring-2 focus-visible:ring-ring/50 focus-visible:outline-none',
            value === color && 'ring-2 ring-ring ring-offset-2',
          )}
          style={{ backgroundColor: color }}
        />
      ))}
    </div>
  )
}

/**
 * A colour: the palette, a picker or a typed hex. With `onAuto`, `value` null means "automatic": the
 * server picks a colour no class has yet.
 */
export function ColorField({
  id,
  value,
  onChange,
  onAuto,
}: {
  id: string
  value: string | null
  onChange: (hex: string) => void
  onAuto?: () => void
}) {
  const [draft, setDraft] = useState<string | null>(null)
  const text = draft ?? value ?? ''
  const invalid = draft !== null && normalizeHex(draft) === null
  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-center gap-2">
        <span className="relative h-9 w-11 shrink-0">
          <input
            type="color"
            aria-label="Pick a colour"
            value={value ?? '#ffffff'}
            onChange={(e) => {
              setDraft(null)
              onChange(e.target.value.toLowerCase())
            }}
            className={cn('h-9 w-11 cursor-pointer rounded-md border border-input bg-card p-1', value === null && 'opacity-0')}
          />
          {value === null ? (
            // No colour yet: a dashed empty swatch, not a colour that might already be taken.
            <span aria-hidden className="pointer-events-none absolute inset-0 rounded-md border border-dashed border-muted-foreground/60 bg-muted" />
          ) : null}
        </span>
        <Input
          id={id}
          value={text}
          aria-invalid={invalid || undefined}
          className="w-32 font-mono"
          placeholder={value === null ? 'automatic' : undefined}
          maxLength={7}
          onChange={(e) => {
            setDraft(e.target.value)
            const hex = normalizeHex(e.target.value)
            if (hex) onChange(hex)
          }}
          onBlur={() => setDraft(null)}
        />
        {invalid ? <span className="text-xs text-destructive">Use # and six hex digits</span> : null}
      </div>
      <Palette
        value={value}
        onPick={(color) => {
          setDraft(null)
          onChange(color)
        }}
        onAuto={
          onAuto
            ? () => {
                setDraft(null)
                onAuto()
              }
            : undefined
        }
      />
    </div>
  )
}

export function ColorSwatch({ color, className }: { color: string; className?: string }) {
  return (
    <span
      aria-hidden
      className={cn('inline-block size-3.5 shrink-0 rounded-sm border border-black/10', className)}
      style={{ backgroundColor: color }}
    />
  )
}
