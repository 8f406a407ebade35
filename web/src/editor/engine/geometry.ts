/** Box arithmetic: ordering, clamping to the image, handles and resizing. Pure functions. */
import type { Box, HandleId, ImageSize, Point } from './types'

export function boxFromPoints(a: Point, b: Point): Box {
  return { x1: Math.min(a.x, b.x), y1: Math.min(a.y, b.y), x2: Math.max(a.x, b.x), y2: Math.max(a.y, b.y) }
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value
}

export function clampPoint(p: Point, image: ImageSize): Point {
  return { x: clamp(p.x, 0, image.width), y: clamp(p.y, 0, image.height) }
}

/** Clip a box to the image rectangle (each edge independently). */
export function clampBox(box: Box, image: ImageSize): Box {
  const x1 = clamp(Math.min(box.x1, box.x2), 0, image.width)
  const x2 = clamp(Math.max(box.x1, box.x2), 0, image.width)
  const y1 = clamp(Math.min(box.y1, box.y2), 0, image.height)
  const y2 = clamp(Math.max(box.y1, box.y2), 0, image.height)
  return { x1, y1, x2, y2 }
}

/** Move a box by (dx, dy) without changing its size, stopping at the image edges. */
export function translateBoxWithin(box: Box, dx: number, dy: number, image: ImageSize): Box {
  const w = box.x2 - box.x1
  const h = box.y2 - box.y1
  const x1 = clamp(box.x1 + dx, 0, Math.max(0, image.width - w))
  const y1 = clamp(box.y1 + dy, 0, Math.max(0, image.height - h))
  return { x1, y1, x2: x1 + w, y2: y1 + h }
}

export function boxContains(box: Box, p: Point): boolean {
  return p.x >= box.x1 && p.x <= box.x2 && p.y >= box.y1 && p.y <= box.y2
}

export function boxesIntersect(a: Box, b: Box): boolean {
  return a.x1 <= b.x2 && a.x2 >= b.x1 && a.y1 <= b.y2 && a.y2 >= b.y1
}

export function boxArea(box: Box): number {
  return (box.x2 - box.x1) * (box.y2 - box.y1)
}

export function sameBox(a: Box, b: Box): boolean {
  return a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2
}

/** Where a handle sits on a box. */
export function handlePoint(box: Box, handle: HandleId): Point {
  const cx = (box.x1 + box.x2) / 2
  const cy = (box.y1 + box.y2) / 2
  switch (handle) {
    case 'nw':
      return { x: box.x1, y: box.y1 }
    case 'n':
      return { x: cx, y: box.y1 }
    case 'ne':
      return { x: box.x2, y: box.y1 }
    case 'e':
      return { x: box.x2, y: cy }
    case 'se':
      return { x: box.x2, y: box.y2 }
    case 's':
      return { x: cx, y: box.y2 }
    case 'sw':
      return { x: box.x1, y: box.y2 }
    case 'w':
      return { x: box.x1, y: cy }
  }
}

/**
 * Drag `handle` of `start` to image point `to`: the handle's edges follow the pointer, the
 * opposite edges stay. Dragging past the opposite edge flips the box; the result is clamped to
 * the image and kept ordered.
 */
export function resizeBox(start: Box, handle: HandleId, to: Point, image: ImageSize): Box {
  let { x1, y1, x2, y2 } = start
  if (handle.includes('w')) x1 = to.x
  if (handle.includes('e')) x2 = to.x
  if (handle.includes('n')) y1 = to.y
  if (handle.includes('s')) y2 = to.y
  return clampBox({ x1, y1, x2, y2 }, image)
}

/** The CSS cursor that belongs to a handle. */
export function handleCursor(handle: HandleId): string {
  switch (handle) {
    case 'nw':
    case 'se':
      return 'nwse-resize'
    case 'ne':
    case 'sw':
      return 'nesw-resize'
    case 'n':
    case 's':
      return 'ns-resize'
    case 'e':
    case 'w':
      return 'ew-resize'
  }
}

/** An annotation moved by (dx, dy), polygon vertices included. */
export function translateAnnotation<T extends Box & { points: Point[] | null }>(a: T, dx: number, dy: number): T {
  return {
    ...a,
    x1: a.x1 + dx,
    y1: a.y1 + dy,
    x2: a.x2 + dx,
    y2: a.y2 + dy,
    points: a.points ? a.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) : null,
  }
}
