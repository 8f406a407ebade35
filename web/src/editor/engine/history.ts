/**
 * Undo/redo as commands with do/undo. Bulk actions are one command (or a group), so one undo
 * reverts all of it. Unbounded: the stacks live as long as the image is open.
 */
import type { AnnotationDocument } from './document'
import { Emitter } from './emitter'
import { shapesWord } from './shape-words'
import type { Annotation, AnnotationKind, AnnotationPatch } from './types'

export interface Command {
  readonly label: string
  do(doc: AnnotationDocument): void
  undo(doc: AnnotationDocument): void
  /** Fold `next` (just done) into this command so one undo reverts both; false keeps them apart. */
  absorb?(next: Command): boolean
}

export class CreateCommand implements Command {
  readonly label: string
  constructor(readonly annotations: readonly Annotation[]) {
    this.label = `Create ${shapesWord(annotations.map((a) => a.kind))}`
  }
  do(doc: AnnotationDocument): void {
    for (const a of this.annotations) doc.add(a)
  }
  undo(doc: AnnotationDocument): void {
    for (const a of this.annotations) doc.remove(a.key)
  }
}

export class DeleteCommand implements Command {
  readonly label: string
  private removed: { annotation: Annotation; z: number }[] = []
  /** `kinds`: what each key is, for the label. */
  constructor(
    readonly keys: readonly string[],
    kinds: readonly AnnotationKind[],
  ) {
    this.label = `Delete ${shapesWord(kinds)}`
  }
  do(doc: AnnotationDocument): void {
    this.removed = []
    for (const key of this.keys) {
      const entry = doc.remove(key)
      if (entry) this.removed.push(entry)
    }
  }
  undo(doc: AnnotationDocument): void {
    for (const { annotation, z } of this.removed) doc.add(annotation, z)
  }
}

export interface PatchChange {
  key: string
  before: AnnotationPatch
  after: AnnotationPatch
}

/** Move, resize, class change: any field edit on existing annotations. */
export class UpdateCommand implements Command {
  constructor(
    readonly label: string,
    readonly changes: readonly PatchChange[],
  ) {}
  do(doc: AnnotationDocument): void {
    for (const c of this.changes) if (doc.has(c.key)) doc.update(c.key, c.after)
  }
  undo(doc: AnnotationDocument): void {
    for (let i = this.changes.length - 1; i >= 0; i--) {
      const c = this.changes[i]
      if (c && doc.has(c.key)) doc.update(c.key, c.before)
    }
  }

  /** The patch that sets `fields` of each annotation, recording the old values for undo. */
  static fromAnnotations(
    label: string,
    items: readonly Annotation[],
    after: (a: Annotation) => AnnotationPatch,
  ): UpdateCommand {
    const changes: PatchChange[] = []
    for (const a of items) {
      const next = after(a)
      const before: AnnotationPatch = {}
      let differs = false
      for (const field of Object.keys(next) as (keyof AnnotationPatch)[]) {
        ;(before as Record<string, unknown>)[field] = a[field]
        if (a[field] !== next[field]) differs = true
      }
      if (differs) changes.push({ key: a.key, before, after: next })
    }
    return new UpdateCommand(label, changes)
  }
}

export class GroupCommand implements Command {
  constructor(
    readonly label: string,
    readonly commands: readonly Command[],
  ) {}
  do(doc: AnnotationDocument): void {
    for (const c of this.commands) c.do(doc)
  }
  undo(doc: AnnotationDocument): void {
    for (let i = this.commands.length - 1; i >= 0; i--) this.commands[i]?.undo(doc)
  }
}

export interface HistoryState {
  canUndo: boolean
  canRedo: boolean
  undoLabel: string | null
  redoLabel: string | null
}

export class History {
  readonly events = new Emitter<{ change: HistoryState }>()
  private readonly undoStack: Command[] = []
  private readonly redoStack: Command[] = []

  constructor(private readonly doc: AnnotationDocument) {}

  /** Run a command and make it undoable. */
  execute(command: Command): void {
    this.doc.transact(() => command.do(this.doc))
    const last = this.redoStack.length === 0 ? this.undoStack.at(-1) : undefined
    if (!last?.absorb?.(command)) this.undoStack.push(command)
    this.redoStack.length = 0
    this.emit()
  }

  undo(): Command | null {
    const command = this.undoStack.pop()
    if (!command) return null
    this.doc.transact(() => command.undo(this.doc))
    this.redoStack.push(command)
    this.emit()
    return command
  }

  redo(): Command | null {
    const command = this.redoStack.pop()
    if (!command) return null
    this.doc.transact(() => command.do(this.doc))
    this.undoStack.push(command)
    this.emit()
    return command
  }

  clear(): void {
    this.undoStack.length = 0
    this.redoStack.length = 0
    this.emit()
  }

  get state(): HistoryState {
    return {
      canUndo: this.undoStack.length > 0,
      canRedo: this.redoStack.length > 0,
      undoLabel: this.undoStack.at(-1)?.label ?? null,
      redoLabel: this.redoStack.at(-1)?.label ?? null,
    }
  }

  get undoDepth(): number {
    return this.undoStack.length
  }

  private emit(): void {
    this.events.emit('change', this.state)
  }
}
