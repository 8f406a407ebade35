/** Formatting helpers for numbers, dates and durations shown across the app. */

const numberFormat = new Intl.NumberFormat('en-US')

export function formatCount(value: number): string {
  return numberFormat.format(value)
}

/** A byte count in B, KB, MB or GB (1 KB = 1,024 bytes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`
}

export function formatPercent(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, fraction))
  return `${Math.round(clamped * 100)}%`
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return '—'
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—'
  const then = new Date(iso).getTime()
  if (Number.isNaN(then)) return '—'
  const seconds = Math.round((now - then) / 1000)
  if (seconds < 5) return 'just now'
  if (seconds < 60) return `${seconds}s ago`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes}m ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours}h ago`
  const days = Math.round(hours / 24)
  return `${days}d ago`
}

/** Human duration between two ISO timestamps; an open interval runs until `now`. */
export function formatDuration(
  startIso: string | null | undefined,
  endIso: string | null | undefined,
  now: number = Date.now(),
): string {
  if (!startIso) return '—'
  const start = new Date(startIso).getTime()
  const end = endIso ? new Date(endIso).getTime() : now
  if (Number.isNaN(start) || Number.isNaN(end)) return '—'
  const totalSeconds = Math.max(0, (end - start) / 1000)
  if (totalSeconds < 1) return `${Math.round(totalSeconds * 1000)}ms`
  if (totalSeconds < 60) return `${totalSeconds.toFixed(1)}s`
  const minutes = Math.floor(totalSeconds / 60)
  const seconds = Math.round(totalSeconds % 60)
  if (minutes < 60) return `${minutes}m ${seconds}s`
  const hours = Math.floor(minutes / 60)
  return `${hours}h ${minutes % 60}m`
}

/** `one` or `many` for a count: plural(1, 'box', 'boxes') → "box". */
export function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many
}

/** A count with its noun: countOf(1, 'box', 'boxes') → "1 box", countOf(1200, 'image') → "1,200 images". */
export function countOf(count: number, one: string, many: string = `${one}s`): string {
  return `${formatCount(count)} ${plural(count, one, many)}`
}
