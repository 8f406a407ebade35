/** The hide and lock toggle of an annotation row. */
import type { ReactNode } from 'react'
import { cn } from '@/lib/utils'
import { type Editor, type VisibilityFlag } from '@/editor/engine'
import { useShapeWords } from '../hooks/shape-words'

const LABELS: Record<VisibilityFlag, [on: string, off: string]> = {
  hidden: ['Show', 'Hide'],
  locked: ['Unlock', 'Lock'],
}

/** Hide/show or lock/unlock one box or shape; drawn strong while the flag is on. */
export function VisibilityToggle({ editor, annotationKey, flag, on, index, icon }: { editor: Editor; annotationKey: string; flag: VisibilityFlag; on: boolean; index: number; icon: ReactNode }) {
  const label = `${LABELS[flag][on ? 0 : 1]} ${useShapeWords().one} ${index + 1}`
  return (
    <button
      type="button"
      aria-label={label}
      aria-pressed={on}
      title={label}
      className={cn(
        'rounded p-1 hover:bg-accent hover:text-foreground [&_svg]:size-3.5',
        on ? 'text-foreground' : 'text-muted-foreground/70',
      )}
      onClick={(e) => {
        e.stopPropagation()
        editor.setFlag(flag, [annotationKey], !on)
      }}
    >
      {icon}
    </button>
  )
}
