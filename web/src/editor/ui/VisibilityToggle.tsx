/** The hide and lock toggles of an annotation row, and the hook that re-renders when either changes. */
import { useCallback, useRef, useSyncExternalStore, type ReactNode } from 'react'
import { cn } from '@/lib/utils'
import type { Editor } from '../engine/editor'
import type { VisibilityFlag } from '../engine/visibility'

/** A number that changes whenever a box is hidden, shown, locked or unlocked. */
export function useVisibilityVersion(editor: Editor): number {
  const version = useRef(0)
  const subscribe = useCallback(
    (notify: () => void) =>
      editor.events.on('visibilitychange', () => {
        version.current += 1
        notify()
      }),
    [editor],
  )
  return useSyncExternalStore(subscribe, () => version.current)
}

const LABELS: Record<VisibilityFlag, [on: string, off: string]> = {
  hidden: ['Show', 'Hide'],
  locked: ['Unlock', 'Lock'],
}

/** Hide/show or lock/unlock one box; drawn strong while the flag is on. */
export function VisibilityToggle({ editor, annotationKey, flag, on, index, icon }: { editor: Editor; annotationKey: string; flag: VisibilityFlag; on: boolean; index: number; icon: ReactNode }) {
  const label = `${LABELS[flag][on ? 0 : 1]} box ${index + 1}`
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
