/** Polygon arithmetic: bounds, area, containment, distances to the outline and vertex edits. Pure functions. */
import { clampPoint } from './geometry'
import type { Annotation, Box, ImageSize, Point } from './types'

/** The server stores 3 to 2000 vertices per polygon. */
export const MIN_VERTICES = 3
export const MAX_VERTICES = 2000
/** A polygon smaller than this (image px², or px on either side) is a stray click, not a shape. */
const MIN_AREA = 1
const MIN_SIDE = 1

export function polygonBounds(points: readonly Point[]): Box {
  let x1 = Infinity
  let y1 = Infinity
  let x2 = -Infinity
  let y2 = -Infinity
  for (const p of points) {
    if (p.x < x1) x1 = p.x
    if (p.x > x2) x2 = p.x
    if (p.y < y1) y1 = p.y
    if (p.y > y2) y2 = p.y
  }
  return points.length > 0 ? { x1, y1, x2, y2 } : { x1: 0, y1: 0, x2: 0, y2: 0 }
}

/** Unsigned area (shoelace); self-intersecting polygons count their lobes against each other. */
export function polygonArea(points: readonly Point[]): number {
  let sum = 0
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[j] as Point
    const b = points[i] as Point
    sum += a.x * b.y - b.x * a.y
  }
  return Math.abs(sum) / 2
}

/** Even-odd rule, so a point in the hole of a self-crossing outline is outside. */
export function pointInPolygon(p: Point, points: readonly Point[]): boolean {
  let inside = false
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[i] as Point
    const b = points[j] as Point
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside
  }
  return inside
}

/** The point of segment a–b nearest to p. */
export function nearestOnSegment(p: Point, a: Point, b: Point): Point {
  const dx = b.x - a.x
  const dy = b.y - a.y
  const length2 = dx * dx + dy * dy
  if (length2 === 0) return { x: a.x, y: a.y }
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2))
  return { x: a.x + t * dx, y: a.y + t * dy }
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y)
}

/**
 * The closed outline's edge nearest to p: edge i runs from vertex i to vertex i + 1 (the last one
 * back to vertex 0). Null for fewer than two points.
 */
export function nearestEdge(p: Point, points: readonly Point[]): { edge: number; point: Point; distance: number } | null {
  let best: { edge: number; point: Point; distance: number } | null = null
  const n = points.length
  if (n < 2) return null
  for (let i = 0; i < n; i++) {
    const point = nearestOnSegment(p, points[i] as Point, points[(i + 1) % n] as Point)
    const d = distance(p, point)
    if (!best || d < best.distance) best = { edge: i, point, distance: d }
  }
  return best
}

/** Inside the polygon, or within `tolerance` of its outline. */
export function polygonHit(p: Point, points: readonly Point[], tolerance: number): boolean {
  if (pointInPolygon(p, points)) return true
  const edge = nearestEdge(p, points)
  return edge !== null && edge.distance <= tolerance
}

/** Whether the server will take these vertices as a polygon with an area. */
export function isValidPolygon(points: readonly Point[]): boolean {
  if (points.length < MIN_VERTICES || points.length > MAX_VERTICES) return false
  const b = polygonBounds(points)
  return b.x2 - b.x1 >= MIN_SIDE && b.y2 - b.y1 >= MIN_SIDE && polygonArea(points) >= MIN_AREA
}

/** The fields that change with the vertices: the points and their bounds. */
export function polygonPatch(points: readonly Point[]): Pick<Annotation, 'x1' | 'y1' | 'x2' | 'y2' | 'points'> {
  return { ...polygonBounds(points), points: points.map((p) => ({ x: p.x, y: p.y })) }
}

export function moveVertex(points: readonly Point[], index: number, to: Point, image: ImageSize): Point[] {
  return points.map((p, i) => (i === index ? clampPoint(to, image) : p))
}

/** Insert `at` after vertex `edge` (on edge `edge`), so it becomes vertex edge + 1. */
export function insertVertex(points: readonly Point[], edge: number, at: Point, image: ImageSize): Point[] {
  const out = [...points]
  out.splice(edge + 1, 0, clampPoint(at, image))
  return out
}

/** Null when the polygon would drop below the minimum number of vertices. */
export function removeVertex(points: readonly Point[], index: number): Point[] | null {
  if (points.length <= MIN_VERTICES || index < 0 || index >= points.length) return null
  return points.filter((_, i) => i !== index)
}

/** Midpoints of the closed outline's edges (midpoint i lies on edge i). */
export function edgeMidpoints(points: readonly Point[]): Point[] {
  const n = points.length
  return points.map((a, i) => {
    const b = points[(i + 1) % n] as Point
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }
  })
}
