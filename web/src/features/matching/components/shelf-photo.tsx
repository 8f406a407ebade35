import type { CSSProperties, ReactNode } from 'react'
import { boxPercent } from '@/features/cutouts'
import type { CutoutBox } from '@/lib/api'
import { cn } from '@/lib/utils'

export interface PhotoBox {
  key: number
  box: CutoutBox
  /** Border style and colour of this box. */
  className: string
  style?: CSSProperties
  label?: ReactNode
  testId?: string
  data?: Record<`data-${string}`, string>
}

/** A shelf photo with boxes drawn in percentages, so they follow the picture at any displayed size. */
export function ShelfPhoto({ src, alt, width, height, boxes, className, imgClassName, style }: { src: string; alt: string; width: number; height: number; boxes: PhotoBox[]; className?: string; imgClassName?: string; style?: CSSProperties }) {
  return (
    <div className={cn('relative w-fit max-w-full', className)} style={style}>
      <img src={src} alt={alt} className={cn('block h-auto max-w-full rounded-sm', imgClassName)} draggable={false} />
      {boxes.map((b) => {
        const r = boxPercent(b.box, width, height)
        return (
          <div
            key={b.key}
            className={cn('pointer-events-none absolute', b.className)}
            style={{ left: `${r.left}%`, top: `${r.top}%`, width: `${r.width}%`, height: `${r.height}%`, ...b.style }}
            data-testid={b.testId}
            {...b.data}
          >
            {b.label}
          </div>
        )
      })}
    </div>
  )
}
