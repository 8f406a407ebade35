/**
 * The editor's class panel as plain data: the dataset's label set in order with keys 1–9, the rest of
 * the catalogue after it, search, the class Enter picks, and the last class used per dataset.
 * No React here, so every rule has a unit test.
 */
import type { ClassInfo } from '@/editor/engine'
import type { LabelSetClass } from '@/lib/api'
import { toClassInfo } from '../api'

/** Number keys 1–9. */
export const KEYS = 9

/** A class as the catalogue lists it. */
export interface CatalogueClass {
  id: number
  name: string
  display_name: string
  color: string
}

export interface PanelClass extends ClassInfo {
  /** 1–9, or null: reachable by search and click only. */
  key: number | null
}

export interface ClassPanel {
  /** Both the label set and the catalogue are loaded (a label set that failed to load counts as empty). */
  ready: boolean
  /** The dataset's label set in order; empty when the dataset has none yet. */
  set: readonly PanelClass[]
  /** Every other class of the catalogue, in catalogue order. Keyed only while the set is empty. */
  others: readonly PanelClass[]
  /** Set, then others: the order the editor and the annotation list use. */
  all: readonly ClassInfo[]
  /** What keys 1–9 pick, in key order. */
  keyed: readonly ClassInfo[]
}

/** Keys go to the label set; a dataset without one (nothing ordered, nothing used) keys the catalogue. */
export function buildPanel(
  labelSet: readonly LabelSetClass[] | undefined,
  catalogue: readonly CatalogueClass[] | undefined,
  ready = labelSet !== undefined && catalogue !== undefined,
): ClassPanel {
  const inSet = new Set((labelSet ?? []).map((c) => c.id))
  const hasSet = inSet.size > 0
  const set = (labelSet ?? []).map((c, i) => ({ ...toClassInfo(c), key: i < KEYS ? i + 1 : null }))
  const rest = (catalogue ?? []).filter((c) => !inSet.has(c.id))
  const others = rest.map((c, i) => ({ ...toClassInfo(c), key: !hasSet && i < KEYS ? i + 1 : null }))
  const all = [...set, ...others].map(({ id, name, color }) => ({ id, name, color }))
  const keyed = (hasSet ? set : others).filter((c) => c.key !== null).map(({ id, name, color }) => ({ id, name, color }))
  return { ready, set, others, all, keyed }
}

/** The class number key `index` + 1 picks. */
export function classForKey(panel: ClassPanel, index: number): ClassInfo | undefined {
  return panel.keyed[index]
}

const normalise = (s: string) => s.trim().toLocaleLowerCase()

/** The classes whose name holds the query (case-insensitive), in panel order. */
export function searchPanel(panel: ClassPanel, query: string): { set: PanelClass[]; others: PanelClass[] } {
  const q = normalise(query)
  const hit = (c: PanelClass) => !q || c.name.toLocaleLowerCase().includes(q)
  return { set: panel.set.filter(hit), others: panel.others.filter(hit) }
}

/** The class Enter picks: an exact name, else a name starting with the query, else the first match; the set before the rest. */
export function bestMatch(panel: ClassPanel, query: string): PanelClass | undefined {
  const q = normalise(query)
  if (!q) return undefined
  const { set, others } = searchPanel(panel, query)
  const hits = [...set, ...others]
  return (
    hits.find((c) => c.name.toLocaleLowerCase() === q) ??
    hits.find((c) => c.name.toLocaleLowerCase().startsWith(q)) ??
    hits[0]
  )
}

// ---- the last class used, per dataset, on this device -----------------------------------------

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>

const storageKey = (datasetId: number) => `shelfscope:last-class:${datasetId}`

function defaultStore(): KeyValueStore | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage
  } catch {
    return null // storage disabled: nothing is remembered
  }
}

export function rememberClass(datasetId: number, classId: number, store = defaultStore()): void {
  try {
    store?.setItem(storageKey(datasetId), String(classId))
  } catch {
    // Full or disabled storage: the class is simply not remembered.
  }
}

export function recallClass(datasetId: number, store = defaultStore()): number | null {
  try {
    const value = Number(store?.getItem(storageKey(datasetId)) ?? NaN)
    return Number.isInteger(value) && value > 0 ? value : null
  } catch {
    return null
  }
}

/** The class an image opens with: the last one used in this dataset if it still exists, else the first of the set. */
export function initialClass(panel: ClassPanel, remembered: number | null): number | null {
  if (remembered !== null && panel.all.some((c) => c.id === remembered)) return remembered
  return panel.keyed[0]?.id ?? panel.all[0]?.id ?? null
}
