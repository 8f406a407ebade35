/**
 * Hidden and locked boxes: a view state, not saved with the annotations on the server.
 * Hidden boxes are not drawn and not hit. Locked boxes are drawn but cannot be selected on the
 * canvas (a click goes to the box beneath), moved, resized, re-classed or deleted. Both are
 * undoable like any edit; the engine forgets them when another image opens, and the editor
 * remembers them per dataset image on the device (features/annotate/hooks/persisted-visibility).
 */
import { Emitter } from './emitter'
import type { Command } from './history'
import { shapesWord } from './shape-words'
import type { AnnotationKind } from './types'

export type VisibilityFlag = 'hidden' | 'locked'

export interface VisibilityChange {
  flag: VisibilityFlag
  keys: readonly string[]
}

export class Visibility {
  readonly events = new Emitter<{ change: VisibilityChange }>()
  private readonly sets: Record<VisibilityFlag, Set<string>> = { hidden: new Set(), locked: new Set() }

  get hidden(): ReadonlySet<string> {
    return this.sets.hidden
  }

  get locked(): ReadonlySet<string> {
    return this.sets.locked
  }

  isHidden(key: string): boolean {
    return this.sets.hidden.has(key)
  }

  isLocked(key: string): boolean {
    return this.sets.locked.has(key)
  }

  /** Neither hidden nor locked: a box the person may select and edit. */
  isEditable(key: string): boolean {
    return !this.sets.hidden.has(key) && !this.sets.locked.has(key)
  }

  /** `keys` without the locked ones. */
  unlocked(keys: readonly string[]): string[] {
    return keys.filter((k) => !this.sets.locked.has(k))
  }

  has(flag: VisibilityFlag, key: string): boolean {
    return this.sets[flag].has(key)
  }

  /** Turn `flag` on or off for `keys`; returns the keys that changed. */
  set(flag: VisibilityFlag, keys: readonly string[], on: boolean): string[] {
    const set = this.sets[flag]
    const changed = keys.filter((k) => set.has(k) !== on)
    if (changed.length === 0) return changed
    for (const k of changed) {
      if (on) set.add(k)
      else set.delete(k)
    }
    this.events.emit('change', { flag, keys: changed })
    return changed
  }

  clear(): void {
    for (const flag of ['hidden', 'locked'] as const) {
      const keys = [...this.sets[flag]]
      this.sets[flag].clear()
      if (keys.length > 0) this.events.emit('change', { flag, keys })
    }
  }
}

/** Hide, show, lock or unlock boxes as one undo step. Changes no annotation, so nothing is saved. */
export class VisibilityCommand implements Command {
  readonly label: string
  private changed: string[] = []

  constructor(
    private readonly visibility: Visibility,
    readonly flag: VisibilityFlag,
    readonly keys: readonly string[],
    readonly on: boolean,
    kinds: readonly AnnotationKind[],
  ) {
    const what = shapesWord(kinds)
    const verb = flag === 'hidden' ? (on ? 'Hide' : 'Show') : on ? 'Lock' : 'Unlock'
    this.label = `${verb} ${what}`
  }

  do(): void {
    this.changed = this.visibility.set(this.flag, this.keys, this.on)
  }

  undo(): void {
    this.visibility.set(this.flag, this.changed, !this.on)
  }
}

/** Both sets of keys; one of them as it is when the other is empty (the usual case). */
export function unionOf(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (b.size === 0) return a
  if (a.size === 0) return b
  return new Set([...a, ...b])
}
