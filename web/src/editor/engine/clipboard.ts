/**
 * Copy, cut and paste of boxes. The clipboard is one module-level store, so it outlives an
 * image: copy on one image, go to the next, paste. It is also kept in sessionStorage, so a
 * reload of the tab keeps it; other tabs and the system clipboard are left alone.
 *
 * A paste lands where the boxes were copied from. Where that would put a box exactly on top of
 * an existing one of the same class (pasting on the image it came from, or pasting twice), the
 * whole group moves on by 10 screen pixels at a time. On an image of another size the group is
 * shifted inside the image and any box still larger than it is clipped at its edges.
 */
import { clamp } from './geometry'
import type { Editor } from './editor'
import type { Annotation, AnnotationKind, Attributes, Box, ImageSize, Point } from './types'

/** What a copied box keeps: its shape, class and attributes (not its identity or review state). */
export interface ClipboardBox {
  classId: number
  kind: AnnotationKind
  x1: number
  y1: number
  x2: number
  y2: number
  points: Point[] | null
  attributes: Attributes | null
}

export interface ClipboardContent {
  boxes: ClipboardBox[]
  /** The size of the image they were copied from. */
  image: ImageSize
}

const STORAGE_KEY = 'shelfscope.editor.clipboard'
/** How far (CSS px at the current zoom) each step moves a paste that would land on its original. */
export const PASTE_OFFSET_PX = 10
const MAX_OFFSET_STEPS = 50
/** A pasted box clipped to less than this (image px) on a side is left out. */
const MIN_SIDE = 1

type Listener = (content: ClipboardContent | null) => void

let content: ClipboardContent | null = null
let loaded = false
const listeners = new Set<Listener>()

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage
  } catch {
    return null
  }
}

/** The current clipboard (read from sessionStorage the first time). */
export function readClipboard(): ClipboardContent | null {
  if (!loaded) {
    loaded = true
    try {
      const raw = storage()?.getItem(STORAGE_KEY)
      const parsed = raw ? (JSON.parse(raw) as ClipboardContent) : null
      content = parsed && Array.isArray(parsed.boxes) && parsed.boxes.length > 0 ? parsed : null
    } catch {
      content = null
    }
  }
  return content
}

export function writeClipboard(next: ClipboardContent | null): void {
  content = next
  loaded = true
  try {
    if (next) storage()?.setItem(STORAGE_KEY, JSON.stringify(next))
    else storage()?.removeItem(STORAGE_KEY)
  } catch {
    // Storage full or blocked: the in-memory clipboard still works for this page.
  }
  for (const listener of [...listeners]) listener(next)
}

/** Be told when the clipboard changes (any editor on the page); returns the unsubscribe function. */
export function onClipboardChange(listener: Listener): () => void {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

function toClipboardBox(a: Annotation): ClipboardBox {
  return {
    classId: a.classId,
    kind: a.kind,
    x1: a.x1,
    y1: a.y1,
    x2: a.x2,
    y2: a.y2,
    points: a.points ? a.points.map((p) => ({ ...p })) : null,
    attributes: a.attributes ? structuredClone(a.attributes) : null,
  }
}

/** Copy `keys` (default: the selection), bottom to top; returns how many were copied. */
export function copyBoxes(editor: Editor, keys: readonly string[] = editor.selectedKeys): number {
  const wanted = new Set(keys)
  const items = editor.doc.all().filter((a) => wanted.has(a.key))
  if (items.length === 0) return 0
  writeClipboard({ boxes: items.map(toClipboardBox), image: { ...editor.doc.image } })
  return items.length
}

/** Copy, then delete the copied boxes that are not locked (one undo step); returns how many were cut. */
export function cutBoxes(editor: Editor, keys: readonly string[] = editor.selectedKeys): number {
  const unlocked = editor.visibility.unlocked(keys)
  const copied = copyBoxes(editor, unlocked)
  if (copied > 0) editor.deleteAnnotations(unlocked)
  return copied
}

function boundsOf(boxes: readonly Box[]): Box {
  return {
    x1: Math.min(...boxes.map((b) => b.x1)),
    y1: Math.min(...boxes.map((b) => b.y1)),
    x2: Math.max(...boxes.map((b) => b.x2)),
    y2: Math.max(...boxes.map((b) => b.y2)),
  }
}

/** Move the group by (dx, dy), then shift it to lie inside the image where it fits, and clip what does not. */
function place(boxes: readonly ClipboardBox[], dx: number, dy: number, image: ImageSize): ClipboardBox[] {
  const b = boundsOf(boxes)
  const fit = (lo: number, hi: number, d: number, size: number) => (hi - lo > size ? -lo : clamp(d, -lo, size - hi))
  const sx = fit(b.x1, b.x2, dx, image.width)
  const sy = fit(b.y1, b.y2, dy, image.height)
  const cx = (x: number) => clamp(x + sx, 0, image.width)
  const cy = (y: number) => clamp(y + sy, 0, image.height)
  return boxes
    .map((a) => ({
      ...a,
      x1: cx(a.x1),
      y1: cy(a.y1),
      x2: cx(a.x2),
      y2: cy(a.y2),
      points: a.points ? a.points.map((p) => ({ x: cx(p.x), y: cy(p.y) })) : null,
    }))
    .filter((a) => a.x2 - a.x1 >= MIN_SIDE && a.y2 - a.y1 >= MIN_SIDE)
}

function landsOnExisting(boxes: readonly ClipboardBox[], existing: readonly Annotation[]): boolean {
  const near = (p: number, q: number) => Math.abs(p - q) < 0.5
  return boxes.some((b) =>
    existing.some((a) => a.classId === b.classId && near(a.x1, b.x1) && near(a.y1, b.y1) && near(a.x2, b.x2) && near(a.y2, b.y2)),
  )
}

/** Where the clipboard's boxes go on an image: the first of +1, -1, +2, -2, ... steps that covers no box exactly. */
export function placePaste(clip: ClipboardContent, image: ImageSize, existing: readonly Annotation[], step: number): ClipboardBox[] {
  let placed = place(clip.boxes, 0, 0, image)
  for (let i = 1; i <= MAX_OFFSET_STEPS && landsOnExisting(placed, existing); i++) {
    const d = Math.ceil(i / 2) * step * (i % 2 === 1 ? 1 : -1)
    placed = place(clip.boxes, d, d, image)
  }
  return placed
}

/** Paste the clipboard onto the open image as one undo step and select what was pasted; returns the new keys. */
export function pasteBoxes(editor: Editor): string[] {
  const clip = readClipboard()
  if (!clip || clip.boxes.length === 0) return []
  const step = Math.max(1, Math.round(PASTE_OFFSET_PX / editor.viewport.scale))
  const placed = placePaste(clip, editor.doc.image, editor.doc.all(), step)
  const items: Annotation[] = placed.map((b) => ({
    ...b,
    key: editor.newKey(),
    id: null,
    // A pasted box is the person's own placement: a manual box, not an AI suggestion awaiting review.
    source: 'manual',
    confidence: null,
    reviewState: 'none',
    points: b.points ? b.points.map((p) => ({ ...p })) : null,
    attributes: b.attributes ? structuredClone(b.attributes) : null,
  }))
  if (items.length === 0) return []
  editor.addAnnotations(items)
  const keys = items.map((a) => a.key)
  editor.select(keys)
  return keys
}
