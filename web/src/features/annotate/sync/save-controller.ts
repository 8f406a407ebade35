/**
 * Autosave for one open image: saves 2 s after the last change, keeps unsaved edits on the
 * device (so a failed request or a reload loses nothing), retries with backoff when the server
 * cannot be reached, and stops at a 409 until the person chooses whose version wins.
 */
import { Emitter, isEmptyChangeSet, type Annotation, type ChangeSet, type Editor } from '@/editor/engine'
import type { PendingStore } from './pending-store'

export type SaveStatus = 'saved' | 'saving' | 'unsaved' | 'offline' | 'error' | 'conflict'

export interface ServerState {
  revision: number
  items: Annotation[]
}

/** The save was refused because the image changed since `baseRevision`; `current` is the server's state. */
export class ConflictError extends Error {
  constructor(
    readonly current: ServerState,
    message = 'The image was changed by someone else.',
  ) {
    super(message)
    this.name = 'ConflictError'
  }
}

/** A refusal that retrying will not fix (validation, permission). */
export class RejectedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RejectedError'
  }
}

export interface SaveResult {
  revision: number
  idMap: Record<string, number>
}

export type SaveFn = (baseRevision: number, changes: ChangeSet) => Promise<SaveResult>

export interface ConflictInfo {
  current: ServerState
  /** Edits restored from the device that could not be applied to the server's revision. */
  mine: ChangeSet | null
  message: string
}

export interface SaveState {
  status: SaveStatus
  message: string | null
  lastSavedAt: number | null
  /** When the next automatic retry happens (offline/error). */
  retryAt: number | null
  conflict: ConflictInfo | null
}

export interface SaveControllerOptions {
  editor: Editor
  save: SaveFn
  store: PendingStore
  datasetId: number
  imageId: number
  delayMs?: number
  persistDelayMs?: number
  maxRetryMs?: number
}

export const AUTOSAVE_DELAY_MS = 2000

export class SaveController {
  readonly events = new Emitter<{ change: SaveState }>()
  private state: SaveState = { status: 'saved', message: null, lastSavedAt: null, retryAt: null, conflict: null }
  private readonly editor: Editor
  private readonly opts: Required<Omit<SaveControllerOptions, 'editor'>>
  private saveTimer: ReturnType<typeof setTimeout> | null = null
  private persistTimer: ReturnType<typeof setTimeout> | null = null
  private inFlight: Promise<void> | null = null
  private attempts = 0
  private storeQueue: Promise<void> = Promise.resolve()
  private unsubscribe: (() => void) | null = null
  private disposed = false
  /** A server call that changes the image itself (see `exclusive`) is running: autosave waits. */
  private held: Promise<unknown> | null = null

  constructor(options: SaveControllerOptions) {
    this.editor = options.editor
    this.opts = {
      save: options.save,
      store: options.store,
      datasetId: options.datasetId,
      imageId: options.imageId,
      delayMs: options.delayMs ?? AUTOSAVE_DELAY_MS,
      persistDelayMs: options.persistDelayMs ?? 250,
      maxRetryMs: options.maxRetryMs ?? 30_000,
    }
  }

  get current(): SaveState {
    return this.state
  }

  /** Whether leaving now would lose work that is only in this tab. */
  get hasUnsavedChanges(): boolean {
    return this.state.status !== 'saved' || this.editor.isDirty
  }

  start(): void {
    this.unsubscribe = this.editor.events.on('documentchange', (e) => this.onChange(e.dirty))
  }

  dispose(): void {
    this.disposed = true
    this.unsubscribe?.()
    this.clearTimers()
  }

  /**
   * Bring back edits kept on this device for the image just loaded. Edits made on the revision
   * the server still has are applied and saved; edits made on an older one become a conflict.
   */
  async restore(): Promise<'none' | 'applied' | 'conflict'> {
    const { datasetId, imageId, store } = this.opts
    const record = await store.get(datasetId, imageId).catch(() => null)
    if (!record || isEmptyChangeSet(record.changes)) return 'none'
    if (record.baseRevision === this.editor.doc.revision) {
      this.editor.applyChangeSet(record.changes)
      this.scheduleSave(0)
      return 'applied'
    }
    this.set({
      status: 'conflict',
      conflict: {
        current: { revision: this.editor.doc.revision, items: [...this.editor.doc.all()] },
        mine: record.changes,
        message: `Edits kept on this device were made on revision ${record.baseRevision}; the image is now at revision ${this.editor.doc.revision}.`,
      },
      message: null,
    })
    return 'conflict'
  }

  /**
   * Run a server call that changes this image by itself (AI detect stores predictions and bumps the
   * revision): unsaved edits are saved first, autosave waits while `work` runs (so no save races it
   * with an old revision), then edits made meanwhile are saved. Null, without calling `work`, when
   * the unsaved edits could not be saved first.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T | null> {
    if (!(await this.flush())) return null
    const run = work()
    this.held = run
    try {
      return await run
    } finally {
      this.held = null
      if (!this.disposed && this.editor.isDirty && this.state.status !== 'conflict') this.scheduleSave(0)
    }
  }

  /** Save now (Ctrl+S, before navigating). True when everything is on the server afterwards. */
  async flush(): Promise<boolean> {
    if (this.held) await this.held.catch(() => undefined)
    this.clearSaveTimer()
    if (this.inFlight) await this.inFlight
    if (this.state.status === 'conflict') return false
    if (this.editor.isDirty) await this.runSave()
    return this.state.status === 'saved' && !this.editor.isDirty
  }

  /** Retry at once (the browser came back online, or the person clicked retry). */
  retryNow(): void {
    if (this.state.status === 'offline' || this.state.status === 'error') this.scheduleSave(0)
  }

  /** Settle a conflict: take the server's version, or put my edits on top of it and save. */
  async resolveConflict(choice: 'theirs' | 'mine'): Promise<void> {
    const conflict = this.state.conflict
    if (!conflict) return
    const { current } = conflict
    if (choice === 'theirs') {
      this.editor.load(this.editor.doc.image, current.items, current.revision)
      await this.enqueueStore(() => this.opts.store.delete(this.opts.datasetId, this.opts.imageId))
      this.set({ status: 'saved', conflict: null, message: null })
      return
    }
    const mine = conflict.mine ?? this.editor.changeSet()
    this.set({ status: 'unsaved', conflict: null, message: null })
    this.editor.rebase(current.items, current.revision, mine)
    this.clearSaveTimer()
    await this.runSave()
  }

  private onChange(dirty: boolean): void {
    if (this.disposed) return
    if (this.state.status === 'conflict') {
      this.schedulePersist()
      return
    }
    if (!dirty) {
      if (!this.inFlight && this.state.status !== 'saved') {
        this.clearSaveTimer()
        this.set({ status: 'saved', message: null, retryAt: null })
        this.attempts = 0
      }
      this.schedulePersist()
      return
    }
    this.schedulePersist()
    if (this.state.status === 'offline' || this.state.status === 'error') return
    if (this.state.status !== 'saving') this.set({ status: 'unsaved' })
    this.scheduleSave(this.opts.delayMs)
  }

  private scheduleSave(delay: number): void {
    this.clearSaveTimer()
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null
      void this.runSave()
    }, delay)
  }

  private async runSave(): Promise<void> {
    if (this.inFlight) {
      await this.inFlight
      if (this.editor.isDirty && this.state.status !== 'conflict') return this.runSave()
      return
    }
    if (this.disposed || this.state.status === 'conflict' || this.held) return
    if (!this.editor.isDirty) {
      this.set({ status: 'saved', message: null, retryAt: null })
      await this.enqueueStore(() => this.opts.store.delete(this.opts.datasetId, this.opts.imageId))
      return
    }
    const run = this.send()
    this.inFlight = run
    try {
      await run
    } finally {
      this.inFlight = null
    }
  }

  private async send(): Promise<void> {
    const snapshot = this.editor.beginSave()
    await this.persistNow()
    this.set({ status: 'saving', retryAt: null })
    try {
      const result = await this.opts.save(snapshot.baseRevision, snapshot.changes)
      if (this.disposed) return
      this.editor.markSaved(snapshot, result.revision, result.idMap)
      this.attempts = 0
      if (this.editor.isDirty) {
        this.set({ status: 'unsaved', message: null, lastSavedAt: Date.now() })
        this.scheduleSave(this.opts.delayMs)
        await this.persistNow()
      } else {
        this.set({ status: 'saved', message: null, lastSavedAt: Date.now() })
        await this.enqueueStore(() => this.opts.store.delete(this.opts.datasetId, this.opts.imageId))
      }
    } catch (error) {
      if (this.disposed) return
      if (error instanceof ConflictError) {
        this.set({ status: 'conflict', conflict: { current: error.current, mine: null, message: error.message }, message: error.message })
        return
      }
      this.attempts += 1
      const delay = Math.min(this.opts.maxRetryMs, 1000 * 2 ** (this.attempts - 1))
      const message = error instanceof Error ? error.message : String(error)
      this.set({ status: error instanceof RejectedError ? 'error' : 'offline', message, retryAt: Date.now() + delay })
      this.scheduleSave(delay)
    }
  }

  private schedulePersist(): void {
    if (this.persistTimer !== null) clearTimeout(this.persistTimer)
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null
      void this.persistNow()
    }, this.opts.persistDelayMs)
  }

  /** Write the current unsaved edits to the device (or clear the record when there are none). */
  private persistNow(): Promise<void> {
    const { datasetId, imageId, store } = this.opts
    if (!this.editor.isDirty && this.state.status !== 'conflict') {
      return this.enqueueStore(() => store.delete(datasetId, imageId))
    }
    const conflict = this.state.conflict
    // During a conflict the record keeps the edits and the revision they were made on.
    const baseRevision = conflict?.mine ? null : this.editor.doc.revision
    if (baseRevision === null) return Promise.resolve()
    const edits = { datasetId, imageId, baseRevision, changes: this.editor.changeSet(), savedAt: Date.now() }
    return this.enqueueStore(() => store.replace(edits))
  }

  /** Store writes run one after another, so an older write never lands after a newer one. */
  private enqueueStore(op: () => Promise<void>): Promise<void> {
    this.storeQueue = this.storeQueue.then(op).catch(() => undefined)
    return this.storeQueue
  }

  private clearSaveTimer(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer)
    this.saveTimer = null
  }

  private clearTimers(): void {
    this.clearSaveTimer()
    if (this.persistTimer !== null) clearTimeout(this.persistTimer)
    this.persistTimer = null
  }

  private set(patch: Partial<SaveState>): void {
    this.state = { ...this.state, ...patch }
    this.events.emit('change', this.state)
  }
}
