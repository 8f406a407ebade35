/**
 * Unsaved edits kept on this device, so a failed save or a reload loses nothing. Records are
 * keyed by dataset, image and the revision the edits were made on; one image keeps one record.
 * IndexedDB when the browser has it, otherwise localStorage, and a memory store for tests.
 */
import type { ChangeSet } from '@/editor/engine'

export interface PendingEdits {
  datasetId: number
  imageId: number
  baseRevision: number
  changes: ChangeSet
  savedAt: number
}

export interface PendingStore {
  get(datasetId: number, imageId: number): Promise<PendingEdits | null>
  /** Store `edits` as the image's only record (older revisions' records go). */
  replace(edits: PendingEdits): Promise<void>
  delete(datasetId: number, imageId: number): Promise<void>
}

export class MemoryPendingStore implements PendingStore {
  readonly records = new Map<string, PendingEdits>()

  get(datasetId: number, imageId: number): Promise<PendingEdits | null> {
    for (const r of this.records.values()) if (r.datasetId === datasetId && r.imageId === imageId) return Promise.resolve(r)
    return Promise.resolve(null)
  }

  replace(edits: PendingEdits): Promise<void> {
    for (const [k, r] of this.records) if (r.datasetId === edits.datasetId && r.imageId === edits.imageId) this.records.delete(k)
    this.records.set(`${edits.datasetId}:${edits.imageId}:${edits.baseRevision}`, structuredClone(edits))
    return Promise.resolve()
  }

  delete(datasetId: number, imageId: number): Promise<void> {
    for (const [k, r] of this.records) if (r.datasetId === datasetId && r.imageId === imageId) this.records.delete(k)
    return Promise.resolve()
  }
}

const DB_NAME = 'shelfscope-editor'
const STORE = 'pending-edits'

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'))
  })
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
  })
}

/** All revisions of one image: [d, i, -∞] … [d, i, +∞]. */
function imageRange(datasetId: number, imageId: number): IDBKeyRange {
  return IDBKeyRange.bound([datasetId, imageId, -Infinity], [datasetId, imageId, Infinity])
}

export class IndexedDbPendingStore implements PendingStore {
  private db: Promise<IDBDatabase> | null = null

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1)
      req.onupgradeneeded = () => {
        req.result.createObjectStore(STORE, { keyPath: ['datasetId', 'imageId', 'baseRevision'] })
      }
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error ?? new Error('cannot open IndexedDB'))
    })
    return this.db
  }

  async get(datasetId: number, imageId: number): Promise<PendingEdits | null> {
    const db = await this.open()
    const store = db.transaction(STORE, 'readonly').objectStore(STORE)
    const all = await request(store.getAll(imageRange(datasetId, imageId)))
    const records = all as PendingEdits[]
    return records.sort((a, b) => b.savedAt - a.savedAt)[0] ?? null
  }

  async replace(edits: PendingEdits): Promise<void> {
    const db = await this.open()
    const tx = db.transaction(STORE, 'readwrite')
    const store = tx.objectStore(STORE)
    store.delete(imageRange(edits.datasetId, edits.imageId))
    store.put(edits)
    await done(tx)
  }

  async delete(datasetId: number, imageId: number): Promise<void> {
    const db = await this.open()
    const tx = db.transaction(STORE, 'readwrite')
    tx.objectStore(STORE).delete(imageRange(datasetId, imageId))
    await done(tx)
  }
}

const LS_PREFIX = 'shelfscope:pending-edits:'

export class LocalStoragePendingStore implements PendingStore {
  private keysFor(datasetId: number, imageId: number): string[] {
    const prefix = `${LS_PREFIX}${datasetId}:${imageId}:`
    const keys: string[] = []
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i)
      if (k?.startsWith(prefix)) keys.push(k)
    }
    return keys
  }

  get(datasetId: number, imageId: number): Promise<PendingEdits | null> {
    const raw = this.keysFor(datasetId, imageId).map((k) => localStorage.getItem(k))
    const records = raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as PendingEdits)
    return Promise.resolve(records.sort((a, b) => b.savedAt - a.savedAt)[0] ?? null)
  }

  replace(edits: PendingEdits): Promise<void> {
    for (const k of this.keysFor(edits.datasetId, edits.imageId)) localStorage.removeItem(k)
    localStorage.setItem(`${LS_PREFIX}${edits.datasetId}:${edits.imageId}:${edits.baseRevision}`, JSON.stringify(edits))
    return Promise.resolve()
  }

  delete(datasetId: number, imageId: number): Promise<void> {
    for (const k of this.keysFor(datasetId, imageId)) localStorage.removeItem(k)
    return Promise.resolve()
  }
}

let defaultStore: PendingStore | null = null

export function pendingStore(): PendingStore {
  defaultStore ??= typeof indexedDB !== 'undefined' ? new IndexedDbPendingStore() : new LocalStoragePendingStore()
  return defaultStore
}
