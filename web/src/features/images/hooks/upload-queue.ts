/**
 * The upload queue: one request per file (so each file has its own progress bar and result),
 * a few at a time. Files the API stores, finds to be duplicates or rejects each get their row.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage, type IngestStatus, type LibraryImage } from '@/lib/api'
import { imagesApi } from '../api'

export type UploadItemStatus = 'queued' | 'uploading' | IngestStatus | 'failed'

export interface UploadItem {
  key: string
  name: string
  size: number
  status: UploadItemStatus
  /** 0..1 of the bytes sent */
  progress: number
  image: LibraryImage | null
  /** Why it was rejected or failed. */
  reason: string | null
}

export interface UploadSummary {
  total: number
  done: number
  stored: number
  duplicate: number
  rejected: number
  failed: number
  /** 0..1 over all bytes */
  progress: number
}

export const UPLOAD_CONCURRENCY = 3

export function summarize(items: readonly UploadItem[]): UploadSummary {
  const summary: UploadSummary = { total: items.length, done: 0, stored: 0, duplicate: 0, rejected: 0, failed: 0, progress: 0 }
  let bytes = 0
  let sent = 0
  for (const item of items) {
    if (item.status === 'stored' || item.status === 'duplicate' || item.status === 'rejected' || item.status === 'failed') {
      summary.done++
      summary[item.status]++
    }
    const finished = item.status !== 'queued' && item.status !== 'uploading'
    bytes += item.size
    sent += item.size * (finished ? 1 : item.progress)
  }
  summary.progress = bytes > 0 ? sent / bytes : summary.total > 0 && summary.done === summary.total ? 1 : 0
  return summary
}

let nextKey = 0

function inFlight(item: UploadItem): boolean {
  return item.status === 'queued' || item.status === 'uploading'
}

/** The list after a drop: files dropped while others still upload join that batch; otherwise the
 * finished rows go and the new files are a batch of their own, so the list, the summary and the
 * toast count this batch, not every file since the page opened. */
export function startBatch(current: readonly UploadItem[], fresh: readonly UploadItem[]): UploadItem[] {
  return current.some(inFlight) ? [...current, ...fresh] : [...fresh]
}

/** Send one file and patch its row with the answer. */
function uploadOne(
  key: string,
  file: File,
  options: { folder: string | null; tags: string[] },
  signal: AbortSignal,
  patch: (key: string, change: Partial<UploadItem>) => void,
): Promise<void> {
  return imagesApi
    .upload([file], {
      folder: options.folder,
      tags: options.tags,
      signal,
      onProgress: ({ loaded, total }) => patch(key, { progress: total > 0 ? loaded / total : 0 }),
    })
    .then((result) => {
      const first = result.results[0]
      patch(key, {
        status: first?.status ?? 'failed',
        progress: 1,
        image: first?.image ?? null,
        reason: first?.error?.detail ?? (first ? null : 'The server returned no result for this file.'),
      })
    })
    .catch((error: unknown) => {
      const cancelled = error instanceof DOMException && error.name === 'AbortError'
      patch(key, { status: 'failed', reason: cancelled ? 'Cancelled' : errorMessage(error) })
    })
}

export function useUploadQueue(options: { folder: string | null; tags: string[]; onSettled?: (summary: UploadSummary) => void }) {
  const [items, setItems] = useState<UploadItem[]>([])
  const files = useRef(new Map<string, File>())
  const running = useRef(0)
  const waiting = useRef<string[]>([])
  const aborts = useRef(new Set<AbortController>())
  const optionsRef = useRef(options)
  useEffect(() => {
    optionsRef.current = options
  })

  const patch = useCallback((key: string, change: Partial<UploadItem>) => {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...change } : item)))
  }, [])

  const pump = useCallback(() => {
    while (running.current < UPLOAD_CONCURRENCY && waiting.current.length > 0) {
      const key = waiting.current.shift()
      const file = key ? files.current.get(key) : undefined
      if (!key || !file) continue
      running.current++
      const abort = new AbortController()
      aborts.current.add(abort)
      patch(key, { status: 'uploading' })
      void uploadOne(key, file, optionsRef.current, abort.signal, patch).finally(() => {
        running.current--
        aborts.current.delete(abort)
        files.current.delete(key)
        pump()
      })
    }
  }, [patch])

  const add = useCallback(
    (list: readonly File[]) => {
      if (list.length === 0) return
      const fresh: UploadItem[] = list.map((file) => {
        const key = `u${nextKey++}`
        files.current.set(key, file)
        waiting.current.push(key)
        return { key, name: file.name, size: file.size, status: 'queued', progress: 0, image: null, reason: null }
      })
      setItems((current) => startBatch(current, fresh))
      pump()
    },
    [pump],
  )

  const cancel = useCallback(() => {
    for (const key of waiting.current) files.current.delete(key)
    waiting.current = []
    for (const abort of aborts.current) abort.abort()
    setItems((current) =>
      current.map((item) => (item.status === 'queued' ? { ...item, status: 'failed', reason: 'Cancelled' } : item)),
    )
  }, [])

  const clear = useCallback(() => {
    setItems((current) => current.filter(inFlight))
  }, [])

  const summary = summarize(items)
  const busy = summary.done < summary.total
  const wasBusy = useRef(false)
  useEffect(() => {
    if (wasBusy.current && !busy) optionsRef.current.onSettled?.(summary)
    wasBusy.current = busy
  }, [busy, summary])

  useEffect(() => {
    const pending = aborts.current
    return () => {
      for (const abort of pending) abort.abort()
    }
  }, [])

  return { items, summary, busy, add, cancel, clear }
}
