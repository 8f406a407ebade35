/** Re-render a component when the engine emits an event, without copying engine state into React. */
import { useCallback, useRef, useSyncExternalStore } from 'react'
import { type Editor, type EditorEvents } from '@/editor/engine'

/** A number that changes each time `editor` emits `type`. */
export function useEditorEventVersion(editor: Editor, type: keyof EditorEvents): number {
  const version = useRef(0)
  const subscribe = useCallback(
    (notify: () => void) =>
      editor.events.on(type, () => {
        version.current += 1
        notify()
      }),
    [editor, type],
  )
  return useSyncExternalStore(subscribe, () => version.current)
}
