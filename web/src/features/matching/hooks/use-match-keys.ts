/** Listens for the queue's keys on the window and hands each action over (ignored while typing or in a dialog). */
import { useEffect, useRef } from 'react'
import { matchAction, type MatchAction } from './keys'

function dialogOpen(): boolean {
  return document.querySelector('[role="dialog"], [role="alertdialog"]') !== null
}

export function useMatchKeys(onAction: (action: MatchAction) => void, enabled: boolean): void {
  const handler = useRef(onAction)
  handler.current = onAction
  useEffect(() => {
    if (!enabled) return
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat) return
      const action = matchAction(event, { dialogOpen: dialogOpen() })
      if (!action) return
      event.preventDefault()
      handler.current(action)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [enabled])
}
