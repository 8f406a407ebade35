/** Builders shared by the engine tests. */
import { Editor } from './editor'
import type { Annotation, ClassInfo } from './types'

export function box(key: string, x1: number, y1: number, x2: number, y2: number, extra: Partial<Annotation> = {}): Annotation {
  return {
    key,
    id: null,
    classId: 1,
    kind: 'bbox',
    x1,
    y1,
    x2,
    y2,
    points: null,
    source: 'manual',
    confidence: null,
    reviewState: 'none',
    ...extra,
  }
}

/** A box as loaded from the server (`srv-<id>` key, id set). */
export function saved(id: number, x1: number, y1: number, x2: number, y2: number, extra: Partial<Annotation> = {}): Annotation {
  return box(`srv-${id}`, x1, y1, x2, y2, { id, ...extra })
}

/** A polygon from [x, y] pairs; its box fields are the points' bounds. */
export function polygon(key: string, pairs: readonly (readonly [number, number])[], extra: Partial<Annotation> = {}): Annotation {
  const points = pairs.map(([x, y]) => ({ x, y }))
  const xs = points.map((p) => p.x)
  const ys = points.map((p) => p.y)
  return box(key, Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys), { kind: 'polygon', points, ...extra })
}

/** A polygon as loaded from the server (`srv-<id>` key, id set). */
export function savedPolygon(id: number, pairs: readonly (readonly [number, number])[], extra: Partial<Annotation> = {}): Annotation {
  return polygon(`srv-${id}`, pairs, { id, ...extra })
}

export const CLASSES: ClassInfo[] = [
  { id: 1, name: 'bottle', color: '#ef4444' },
  { id: 2, name: 'can', color: '#3b82f6' },
  { id: 3, name: 'box', color: '#22c55e' },
]

/**
 * A headless editor on a 1000×800 image shown at scale 1 in a 1000×800 viewport, so screen
 * and image coordinates are the same.
 */
export function makeEditor(items: Annotation[] = []): Editor {
  const editor = new Editor()
  editor.setClasses(CLASSES)
  editor.load({ width: 1000, height: 800 }, items, 1)
  editor.viewport.resize(1000, 800)
  editor.viewport.zoomToScale(1)
  editor.viewport.panBy(-editor.viewport.x, -editor.viewport.y)
  return editor
}

/** Press, move in steps and release, like a mouse drag. */
export function drag(editor: Editor, from: [number, number], to: [number, number], mods: { shiftKey?: boolean; button?: number } = {}): void {
  editor.pointer('down', { x: from[0], y: from[1] }, mods)
  for (let i = 1; i <= 4; i++) {
    editor.pointer('move', { x: from[0] + ((to[0] - from[0]) * i) / 4, y: from[1] + ((to[1] - from[1]) * i) / 4 }, mods)
  }
  editor.pointer('up', { x: to[0], y: to[1] }, mods)
}

export function click(editor: Editor, at: [number, number], mods: { shiftKey?: boolean; altKey?: boolean; ctrlKey?: boolean } = {}): void {
  editor.pointer('down', { x: at[0], y: at[1] }, mods)
  editor.pointer('up', { x: at[0], y: at[1] }, mods)
}
