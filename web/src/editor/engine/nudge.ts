/**
 * Nudging: Shift+arrow moves the selected boxes by 1 image pixel, Ctrl/⌘+Shift+arrow by 10.
 * The selection moves as one and stops at the image edges, like a drag. Each press is one undo
 * step; a held key (its auto-repeat) folds into the press that started it, so one undo puts the
 * boxes back where the key went down.
 */
import type { AnnotationDocument } from './document'
import type { Editor } from './editor'
import { clamp, translateAnnotation } from './geometry'
import type { Command, PatchChange } from './history'
import { shapesWord } from './shape-words'
import type { Annotation, AnnotationKind } from './types'

export const NUDGE_SMALL = 1
export const NUDGE_LARGE = 10

export class NudgeCommand implements Command {
  readonly label: string

  constructor(
    private changes: PatchChange[],
    /** True for a key's auto-repeat: it continues the nudge before it. */
    readonly continues: boolean,
    kinds: readonly AnnotationKind[],
  ) {
    this.label = `Nudge ${shapesWord(kinds)}`
  }

  do(doc: AnnotationDocument): void {
    for (const c of this.changes) if (doc.has(c.key)) doc.update(c.key, c.after)
  }

  undo(doc: AnnotationDocument): void {
    for (const c of this.changes) if (doc.has(c.key)) doc.update(c.key, c.before)
  }

  absorb(next: Command): boolean {
    if (!(next instanceof NudgeCommand) || !next.continues) return false
    const mine = new Map(this.changes.map((c) => [c.key, c]))
    if (next.changes.length !== mine.size || next.changes.some((c) => !mine.has(c.key))) return false
    this.changes = this.changes.map((c) => ({ ...c, after: next.changes.find((n) => n.key === c.key)?.after ?? c.after }))
    return true
  }
}

/** Move the selected, unlocked boxes by (dx, dy) image pixels; false when nothing moved. */
export function nudgeSelection(editor: Editor, dx: number, dy: number, repeat = false): boolean {
  const items = editor.visibility
    .unlocked(editor.selectedKeys)
    .map((k) => editor.doc.get(k))
    .filter((a): a is Annotation => a !== undefined)
  if (items.length === 0) return false
  const { width, height } = editor.doc.image
  const x1 = Math.min(...items.map((a) => a.x1))
  const y1 = Math.min(...items.map((a) => a.y1))
  const x2 = Math.max(...items.map((a) => a.x2))
  const y2 = Math.max(...items.map((a) => a.y2))
  const mx = clamp(dx, -x1, Math.max(-x1, width - x2))
  const my = clamp(dy, -y1, Math.max(-y1, height - y2))
  if (mx === 0 && my === 0) return false
  const changes = items.map((a) => {
    const b = translateAnnotation(a, mx, my)
    return {
      key: a.key,
      before: { x1: a.x1, y1: a.y1, x2: a.x2, y2: a.y2, points: a.points },
      after: { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, points: b.points },
    }
  })
  editor.execute(new NudgeCommand(changes, repeat, items.map((a) => a.kind)))
  return true
}
