import { AlertTriangleIcon, CheckIcon, CloudOffIcon, Loader2Icon, PencilIcon } from 'lucide-react'
import { useEffect, useState } from 'react'
import { cn } from '@/lib/utils'
import type { SaveState } from '../sync/save-controller'

function secondsUntil(at: number | null): number | null {
  return at === null ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

/** Saved / saving / unsaved / offline / conflict, with the retry countdown when offline. */
export function SaveStatusIndicator({ state, onRetry }: { state: SaveState; onRetry: () => void }) {
  const [, tick] = useState(0)
  useEffect(() => {
    if (state.retryAt === null) return
    const timer = setInterval(() => tick((n) => n + 1), 1000)
    return () => clearInterval(timer)
  }, [state.retryAt])

  const wait = secondsUntil(state.retryAt)
  const view = {
    saved: { icon: <CheckIcon />, text: 'Saved', cls: 'text-emerald-700 bg-emerald-50 border-emerald-200' },
    saving: { icon: <Loader2Icon className="animate-spin" />, text: 'Saving…', cls: 'text-sky-700 bg-sky-50 border-sky-200' },
    unsaved: { icon: <PencilIcon />, text: 'Unsaved changes', cls: 'text-amber-700 bg-amber-50 border-amber-200' },
    offline: {
      icon: <CloudOffIcon />,
      text: `Offline — kept on this device${wait !== null ? `, retrying in ${wait}s` : ''}`,
      cls: 'text-orange-800 bg-orange-50 border-orange-200',
    },
    error: { icon: <AlertTriangleIcon />, text: 'Not saved', cls: 'text-red-700 bg-red-50 border-red-200' },
    conflict: { icon: <AlertTriangleIcon />, text: 'Conflict', cls: 'text-red-700 bg-red-50 border-red-200' },
  }[state.status]

  const retryable = state.status === 'offline' || state.status === 'error'
  return (
    <div
      data-testid="save-status"
      data-status={state.status}
      role="status"
      aria-live="polite"
      title={state.message ?? undefined}
      className={cn('inline-flex h-7 items-center gap-1.5 rounded-full border px-2.5 text-xs font-medium [&_svg]:size-3.5', view.cls)}
    >
      {view.icon}
      <span className="max-w-64 truncate">{view.text}</span>
      {retryable ? (
        <button type="button" className="ml-1 underline underline-offset-2" onClick={onRetry}>
          Retry now
        </button>
      ) : null}
    </div>
  )
}
