import { useEffect, useRef } from 'react'
import type { MatchQueueItem } from '@/lib/api'
import { cn } from '@/lib/utils'
import { similarityText } from '../hooks/keys'

/** The queue as a column of small crops with their best similarity; the current one is ringed and kept in view. */
export function QueueStrip({ items, index, onSelect }: { items: MatchQueueItem[]; index: number; onSelect: (i: number) => void }) {
  const current = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    // A block body: newer browsers return a promise from scrollIntoView, which React would take for a cleanup.
    current.current?.scrollIntoView({ block: 'nearest' })
  }, [index])
  return (
    <ol className="flex max-h-[36rem] flex-col gap-1.5 overflow-y-auto pr-1" aria-label="Queue" data-testid="queue-strip">
      {items.map((item, i) => {
        const best = item.candidates[0]
        return (
          <li key={item.cutout.id}>
            <button
              ref={i === index ? current : undefined}
              type="button"
              tabIndex={-1}
              onClick={() => onSelect(i)}
              aria-current={i === index ? 'true' : undefined}
              className={cn('flex w-full items-center gap-2 rounded-md border p-1 text-left text-xs', i === index ? 'border-primary ring-2 ring-primary/40' : 'hover:bg-accent')}
              data-testid="queue-item"
              data-cutout-id={item.cutout.id}
            >
              <span className="flex h-12 w-10 shrink-0 items-center justify-center overflow-hidden rounded-sm bg-muted">
                <img src={item.cutout.crop_url} alt="" loading="lazy" className="max-h-full max-w-full object-contain" />
              </span>
              <span className="min-w-0 flex-1">
                <span className="flex justify-between gap-1">
                  <span className="font-medium">#{item.cutout.id}</span>
                  {best ? <span className="text-muted-foreground tabular-nums">{similarityText(best.similarity)}</span> : null}
                </span>
                <span className="block truncate font-mono text-[11px] text-muted-foreground">{best ? best.product.sku : 'no candidates'}</span>
              </span>
            </button>
          </li>
        )
      })}
    </ol>
  )
}
