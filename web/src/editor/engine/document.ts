/**
 * The working copy of one image's annotations: the current items in z-order, the last saved
 * state (base) and the keys touched since, from which the change set for a save is computed.
 */
import { sameAttributes } from './attributes'
import { Emitter } from './emitter'
import type { Annotation, AnnotationPatch, ChangeSet, ImageSize } from './types'

export interface DocumentChange {
  added: string[]
  removed: string[]
  updated: string[]
}

interface DocumentEvents {
  change: DocumentChange
}

/** A save in flight: what was sent, so the answer can be applied even if editing went on. */
export interface SaveSnapshot {
  baseRevision: number
  changes: ChangeSet
  /** For each dirty key, the value that was sent (null: deleted). */
  sent: Map<string, Annotation | null>
}

/** Whether two annotations hold the same saved content (identity fields ignored). */
export function sameContent(a: Annotation, b: Annotation): boolean {
  return (
    a.x1 === b.x1 &&
    a.y1 === b.y1 &&
    a.x2 === b.x2 &&
    a.y2 === b.y2 &&
    a.classId === b.classId &&
    a.kind === b.kind &&
    a.source === b.source &&
    a.confidence === b.confidence &&
    a.reviewState === b.reviewState &&
    samePoints(a, b) &&
    sameAttributes(a.attributes, b.attributes)
  )
}

function samePoints(a: Annotation, b: Annotation): boolean {
  if (a.points === b.points) return true
  if (!a.points || !b.points || a.points.length !== b.points.length) return false
  return a.points.every((p, i) => p.x === b.points?.[i]?.x && p.y === b.points[i]?.y)
}

export function serverKey(id: number): string {
  return `srv-${id}`
}

let clientCounter = 0

/** A client id that is unique across tabs and reloads. */
export function newClientId(): string {
  clientCounter += 1
  const random = Math.random().toString(36).slice(2, 10)
  return `c-${Date.now().toString(36)}-${random}-${clientCounter}`
}

export class AnnotationDocument {
  readonly events = new Emitter<DocumentEvents>()
  image: ImageSize = { width: 1, height: 1 }
  revision = 0

  private readonly items = new Map<string, Annotation>()
  private readonly zOrder = new Map<string, number>()
  private zCounter = 0
  private ordered: Annotation[] | null = null
  private readonly base = new Map<string, Annotation>()
  private readonly dirty = new Set<string>()
  private readonly serverIds = new Map<string, number>()
  private batchDepth = 0
  private pending: DocumentChange | null = null

  /** Replace everything with a saved state (nothing dirty). */
  load(image: ImageSize, items: readonly Annotation[], revision: number): void {
    const removed = [...this.items.keys()]
    this.image = image
    this.revision = revision
    this.items.clear()
    this.zOrder.clear()
    this.base.clear()
    this.dirty.clear()
    this.serverIds.clear()
    this.zCounter = 0
    for (const item of items) {
      this.items.set(item.key, item)
      this.zOrder.set(item.key, ++this.zCounter)
      this.base.set(item.key, item)
      if (item.id !== null) this.serverIds.set(item.key, item.id)
    }
    this.ordered = null
    this.emitChange({ added: [...this.items.keys()], removed, updated: [] })
  }

  get size(): number {
    return this.items.size
  }

  get(key: string): Annotation | undefined {
    return this.items.get(key)
  }

  has(key: string): boolean {
    return this.items.has(key)
  }

  keyForId(id: number): string | undefined {
    for (const [key, value] of this.serverIds) if (value === id) return key
    return undefined
  }

  /** All items bottom to top. The array is cached until the set of items changes. */
  all(): readonly Annotation[] {
    if (!this.ordered) {
      const list = [...this.items.values()]
      list.sort((a, b) => (this.zOrder.get(a.key) ?? 0) - (this.zOrder.get(b.key) ?? 0))
      this.ordered = list
    }
    return this.ordered
  }

  zOf(key: string): number {
    return this.zOrder.get(key) ?? 0
  }

  /** Group several edits into one change event. */
  transact<T>(fn: () => T): T {
    this.batchDepth += 1
    try {
      return fn()
    } finally {
      this.batchDepth -= 1
      if (this.batchDepth === 0 && this.pending) {
        const change = this.pending
        this.pending = null
        this.emitChange(change)
      }
    }
  }

  /** Add an item; `z` restores its old stacking position (undo of a delete). */
  add(annotation: Annotation, z?: number): void {
    if (this.items.has(annotation.key)) throw new Error(`annotation ${annotation.key} already exists`)
    const id = this.serverIds.get(annotation.key) ?? null
    const item = annotation.id === id ? annotation : { ...annotation, id }
    this.items.set(item.key, item)
    const order = z ?? ++this.zCounter
    if (order > this.zCounter) this.zCounter = order
    this.zOrder.set(item.key, order)
    this.ordered = null
    this.dirty.add(item.key)
    this.record('added', item.key)
  }

  /** Remove an item; returns it and its stacking position, or null when it was not there. */
  remove(key: string): { annotation: Annotation; z: number } | null {
    const annotation = this.items.get(key)
    if (!annotation) return null
    const z = this.zOrder.get(key) ?? 0
    this.items.delete(key)
    this.zOrder.delete(key)
    this.ordered = null
    this.dirty.add(key)
    this.record('removed', key)
    return { annotation, z }
  }

  update(key: string, patch: AnnotationPatch): Annotation {
    const current = this.items.get(key)
    if (!current) throw new Error(`annotation ${key} does not exist`)
    const next: Annotation = { ...current, ...patch }
    this.items.set(key, next)
    if (this.ordered) {
      const index = this.ordered.indexOf(current)
      if (index >= 0) this.ordered[index] = next
      else this.ordered = null
    }
    this.dirty.add(key)
    this.record('updated', key)
    return next
  }

  get isDirty(): boolean {
    for (const key of this.dirty) if (this.differsFromBase(key)) return true
    return false
  }

  /** Created, updated and deleted since the last save; edits that were undone cancel out. */
  changeSet(): ChangeSet {
    const created: Annotation[] = []
    const updated: Annotation[] = []
    const deleted: number[] = []
    for (const key of this.dirty) {
      const current = this.items.get(key)
      const saved = this.base.get(key)
      if (current && !saved) created.push(current)
      else if (!current && saved) {
        if (saved.id !== null) deleted.push(saved.id)
      } else if (current && saved && !sameContent(current, saved)) {
        updated.push(saved.id === current.id ? current : { ...current, id: saved.id })
      }
    }
    return { created, updated, deleted }
  }

  /** Freeze what a save will send. */
  beginSave(): SaveSnapshot {
    const sent = new Map<string, Annotation | null>()
    for (const key of this.dirty) sent.set(key, this.items.get(key) ?? null)
    return { baseRevision: this.revision, changes: this.changeSet(), sent }
  }

  /**
   * The server took a save: move the base forward to what was sent, learn the new ids, and
   * keep dirty only the keys edited again while the save was in flight.
   */
  markSaved(snapshot: SaveSnapshot, revision: number, idMap: Readonly<Record<string, number>>): void {
    this.revision = revision
    for (const [key, value] of snapshot.sent) {
      if (value === null) {
        this.base.delete(key)
        this.serverIds.delete(key)
      } else {
        const id = idMap[key] ?? this.serverIds.get(key) ?? value.id
        if (id !== null) this.serverIds.set(key, id)
        this.base.set(key, value.id === id ? value : { ...value, id })
        const current = this.items.get(key)
        if (current && current.id !== id) this.items.set(key, { ...current, id })
        if (current && this.ordered) this.ordered = null
      }
      if (!this.differsFromBase(key)) this.dirty.delete(key)
    }
  }

  /**
   * Take in what the server changed by itself (AI detect stored new predictions and dropped a
   * model's old ones): `removed` and `added` become the saved state at `revision`, nothing dirty,
   * and my other unsaved edits stay as they are.
   */
  applySaved(removed: readonly string[], added: readonly Annotation[], revision: number): void {
    this.revision = revision
    this.transact(() => {
      for (const key of removed) {
        const existed = this.items.delete(key)
        this.zOrder.delete(key)
        this.base.delete(key)
        this.serverIds.delete(key)
        this.dirty.delete(key)
        if (existed) this.record('removed', key)
      }
      for (const item of added) {
        const existed = this.items.has(item.key)
        this.items.set(item.key, item)
        if (!existed) this.zOrder.set(item.key, ++this.zCounter)
        this.base.set(item.key, item)
        if (item.id !== null) this.serverIds.set(item.key, item.id)
        this.dirty.delete(item.key)
        this.record(existed ? 'updated' : 'added', item.key)
      }
      this.ordered = null
    })
  }

  /**
   * Put my unsaved edits on top of another saved state (the server's current one after a
   * conflict): their items become the base, my created/updated/deleted are applied again.
   */
  rebase(serverItems: readonly Annotation[], revision: number, mine: ChangeSet): void {
    const keyById = new Map<number, string>()
    for (const [key, id] of this.serverIds) keyById.set(id, key)
    const rekey = (a: Annotation): Annotation => {
      const key = a.id !== null ? keyById.get(a.id) : undefined
      return key && key !== a.key ? { ...a, key } : a
    }
    this.load(this.image, serverItems.map(rekey), revision)
    this.transact(() => {
      for (const id of mine.deleted) {
        const key = keyById.get(id) ?? serverKey(id)
        if (this.items.has(key)) this.remove(key)
      }
      for (const item of mine.updated) {
        const key = item.id !== null ? (keyById.get(item.id) ?? item.key) : item.key
        if (this.items.has(key)) {
          const { x1, y1, x2, y2, classId, points, reviewState, attributes } = item
          this.update(key, { x1, y1, x2, y2, classId, points, reviewState, ...(attributes === undefined ? {} : { attributes }) })
        } else {
          // Deleted on the other side; keeping mine means it comes back as a new box.
          this.serverIds.delete(key)
          this.add({ ...item, key, id: null })
        }
      }
      for (const item of mine.created) if (!this.items.has(item.key)) this.add(item)
    })
  }

  private differsFromBase(key: string): boolean {
    const current = this.items.get(key)
    const saved = this.base.get(key)
    if (!current || !saved) return current !== saved
    return !sameContent(current, saved)
  }

  private record(kind: keyof DocumentChange, key: string): void {
    if (this.batchDepth === 0) {
      this.emitChange({ added: [], removed: [], updated: [], [kind]: [key] })
      return
    }
    this.pending ??= { added: [], removed: [], updated: [] }
    this.pending[kind].push(key)
  }

  private emitChange(change: DocumentChange): void {
    this.events.emit('change', change)
  }
}
