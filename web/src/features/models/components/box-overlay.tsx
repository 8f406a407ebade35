import type { InferenceBox } from '@/lib/api'
import { CLASS_PALETTE } from '@/lib/class-colors'
import { displaySize, percentRect } from '../hooks/inference'

/** The image with the shown boxes over it, positioned in percent so they follow the picture's size. */
export function BoxOverlay({ src, width, height, boxes }: { src: string; width: number; height: number; boxes: InferenceBox[] }) {
  const size = displaySize(width, height)
  return (
    // w-fit + self-start: a flex column would otherwise stretch the box past the picture.
    <div className="relative w-fit max-w-full self-start" data-testid="inference-image">
      <img src={src} alt="Test image" width={size.width} height={size.height} className="block h-auto max-w-full" />
      {boxes.map((b, i) => {
        const r = percentRect(b, width, height)
        const color = CLASS_PALETTE[b.class_index % CLASS_PALETTE.length] ?? '#ef4444'
        return (
          <div
            key={i}
            data-testid="inference-box"
            data-score={b.score}
            className="pointer-events-none absolute border-2"
            style={{ left: `${r.left}%`, top: `${r.top}%`, width: `${r.width}%`, height: `${r.height}%`, borderColor: color }}
          >
            <span className="absolute -top-4 left-0 px-1 text-[10px] leading-4 whitespace-nowrap text-white" style={{ backgroundColor: color }}>
              {b.label} {Math.round(b.score * 100)}%
            </span>
          </div>
        )
      })}
    </div>
  )
}
