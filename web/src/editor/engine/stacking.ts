/**
 * Bring to front / send to back: the drawing and clicking order of boxes on this image. Only the
 * order in this session changes (the server keeps no order), so nothing is saved.
 */
import type { AnnotationDocument } from './document'
import type { Editor } from './editor'
import type { Command } from './history'
import { shapesWord } from './shape-words'
import type { AnnotationKind } from './types'

export type StackDirection = 'front' | 'back'

export class RestackCommand implements Command {
  readonly label: string
  private before: { key: string; z: number }[] = []

  constructor(
    readonly keys: readonly string[],
    readonly direction: StackDirection,
    kinds: readonly AnnotationKind[],
  ) {
    const what = shapesWord(kinds)
    this.label = direction === 'front' ? `Bring ${what} to front` : `Send ${what} to back`
  }

  do(doc: AnnotationDocument): void {
    // Keep the boxes' order among themselves: lowest first to the front, highest first to the back.
    const keys = this.keys.filter((k) => doc.has(k)).sort((a, b) => doc.zOf(a) - doc.zOf(b))
    this.before = keys.map((key) => ({ key, z: doc.zOf(key) }))
    let bottom = Math.min(...doc.all().map((a) => doc.zOf(a.key)))
    const order = this.direction === 'front' ? keys : [...keys].reverse()
    for (const key of order) {
      const removed = doc.remove(key)
      if (!removed) continue
      if (this.direction === 'front') doc.add(removed.annotation)
      else doc.add(removed.annotation, --bottom)
    }
  }

  undo(doc: AnnotationDocument): void {
    for (const { key, z } of this.before) {
      const removed = doc.remove(key)
      if (removed) doc.add(removed.annotation, z)
    }
  }
}

/** Restack `keys` (default: the selection) as one undo step; false when they are already there. */
export function restack(editor: Editor, direction: StackDirection, keys: readonly string[] = editor.selectedKeys): boolean {
  const present = keys.filter((k) => editor.doc.has(k))
  if (present.length === 0) return false
  const all = editor.doc.all()
  const wanted = new Set(present)
  const edge = direction === 'front' ? all.slice(all.length - present.length) : all.slice(0, present.length)
  if (edge.every((a) => wanted.has(a.key))) return false
  editor.execute(new RestackCommand(present, direction, editor.kindsOf(present)))
  return true
}
