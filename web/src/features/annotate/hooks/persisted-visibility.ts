/**
 * Hidden and locked annotations, remembered per dataset image on this device (localStorage), so
 * they are still hidden or locked when the image opens again. The engine keeps them per session by
 * key; here they are stored by server id (an annotation not saved yet is stored once it has one).
 * The store is bounded: the most recently changed images are kept, and so many ids per image.
 */
import { useEffect } from 'react'
import type { Editor, VisibilityFlag } from '@/editor/engine'

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export const VISIBILITY_STORAGE_KEY = 'shelfscope:editor-visibility'
/** Images remembered; the least recently changed go first. */
export const MAX_IMAGES = 200
/** Ids remembered per flag and image. */
export const MAX_IDS = 2_000

export interface StoredVisibility {
  hidden: number[]
  locked: number[]
}

interface Entry extends StoredVisibility {
  /** When it was last written (ms), for dropping the oldest. */
  at: number
}

type Stored = Record<string, Entry>

const FLAGS: readonly VisibilityFlag[] = ['hidden', 'locked']
const imageKey = (datasetId: number, imageId: number) => `${datasetId}:${imageId}`

function defaultStore(): KeyValueStore | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage
  } catch {
    return null // storage disabled: the flags last for the session only
  }
}

const ids = (value: unknown): number[] =>
  Array.isArray(value) ? value.filter((v): v is number => Number.isInteger(v) && v > 0).slice(0, MAX_IDS) : []

function readAll(store: KeyValueStore | null): Stored {
  try {
    const parsed: unknown = JSON.parse(store?.getItem(VISIBILITY_STORAGE_KEY) ?? '{}')
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
    const out: Stored = {}
    for (const [key, raw] of Object.entries(parsed as Record<string, Partial<Entry>>)) {
      if (typeof raw !== 'object' || raw === null) continue
      out[key] = { hidden: ids(raw.hidden), locked: ids(raw.locked), at: Number(raw.at) || 0 }
    }
    return out
  } catch {
    return {} // unreadable: start over
  }
}

/** The ids hidden and locked on this dataset image, as last stored (empty when none). */
export function recallVisibility(datasetId: number, imageId: number, store = defaultStore()): StoredVisibility {
  const entry = readAll(store)[imageKey(datasetId, imageId)]
  return { hidden: entry?.hidden ?? [], locked: entry?.locked ?? [] }
}

/** Store the ids hidden and locked on this dataset image (none: the image is forgotten). */
export function rememberVisibility(
  datasetId: number,
  imageId: number,
  state: StoredVisibility,
  store = defaultStore(),
  now = Date.now(),
): void {
  if (!store) return
  const all = readAll(store)
  const key = imageKey(datasetId, imageId)
  if (state.hidden.length === 0 && state.locked.length === 0) {
    if (!(key in all)) return
    delete all[key]
  } else {
    all[key] = { hidden: ids(state.hidden), locked: ids(state.locked), at: now }
  }
  const kept = Object.entries(all)
    .sort((a, b) => b[1].at - a[1].at)
    .slice(0, MAX_IMAGES)
  try {
    if (kept.length === 0) store.removeItem(VISIBILITY_STORAGE_KEY)
    else store.setItem(VISIBILITY_STORAGE_KEY, JSON.stringify(Object.fromEntries(kept)))
  } catch {
    // Full or disabled storage: the flags last for the session only.
  }
}

/** The server ids of the editor's hidden and locked annotations (unsaved ones have none yet). */
export function visibilityIds(editor: Editor): StoredVisibility {
  const of = (flag: VisibilityFlag) =>
    [...(flag === 'hidden' ? editor.visibility.hidden : editor.visibility.locked)]
      .map((key) => editor.doc.get(key)?.id ?? null)
      .filter((id): id is number => id !== null)
      .sort((a, b) => a - b)
  return { hidden: of('hidden'), locked: of('locked') }
}

/** Hide and lock the loaded annotations whose ids were stored (not an undo step: it is how the image opens). */
export function applyVisibility(editor: Editor, stored: StoredVisibility): void {
  const keyOf = new Map<number, string>()
  for (const a of editor.doc.all()) if (a.id !== null) keyOf.set(a.id, a.key)
  for (const flag of FLAGS) {
    const keys = stored[flag].map((id) => keyOf.get(id)).filter((k): k is string => k !== undefined)
    if (keys.length > 0) editor.visibility.set(flag, keys, true)
  }
}

/**
 * Restore the stored flags once the image's annotations are in the engine (`loaded` changes with
 * each load), and store them again whenever they or the annotations' ids change.
 */
export function usePersistedVisibility(editor: Editor, datasetId: number, imageId: number, loaded: unknown): void {
  useEffect(() => {
    if (!loaded) return
    applyVisibility(editor, recallVisibility(datasetId, imageId))
    let last = JSON.stringify(visibilityIds(editor))
    const store = () => {
      const now = visibilityIds(editor)
      const text = JSON.stringify(now)
      if (text === last) return
      last = text
      rememberVisibility(datasetId, imageId, now)
    }
    const offs = [editor.visibility.events.on('change', store), editor.events.on('documentchange', store)]
    return () => offs.forEach((off) => off())
  }, [editor, datasetId, imageId, loaded])
}
