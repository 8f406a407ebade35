/**
 * Where the handles of the single selected shape are, in screen space: a box's eight resize
 * handles and edges, a polygon's vertices and edge midpoints. Pure functions of the viewport.
 */
import { handlePoint } from './geometry'
import { distance, edgeMidpoints, nearestEdge } from './polygon'
import type { Box, HandleId, Point } from './types'
import type { Viewport } from './viewport'

/** Drawn size of a box handle (CSS px). */
export const HANDLE_SIZE = 8
/** Drawn radius of a polygon vertex handle, and of an edge midpoint handle (CSS px). */
export const VERTEX_RADIUS = 5
export const MIDPOINT_RADIUS = 3.5
/** Midpoint handles appear only on edges at least this long on screen, so they never crowd vertices. */
export const MIDPOINT_MIN_EDGE = 28

/** How close (CSS px) the pointer must be to a box edge to grab it for resizing. */
const EDGE_GRAB = 4
const HANDLE_GRAB = HANDLE_SIZE / 2 + 3
const VERTEX_GRAB = VERTEX_RADIUS + 3
const MIDPOINT_GRAB = MIDPOINT_RADIUS + 3
/** Ctrl+click this close (CSS px) to an outline adds a vertex there. */
export const OUTLINE_GRAB = 6
const CORNERS: readonly HandleId[] = ['nw', 'ne', 'se', 'sw']
const MIDPOINTS: readonly HandleId[] = ['n', 'e', 's', 'w']

/** The resize handle of box `a` under `screen`: corners, then edge midpoints, then anywhere on an edge. */
export function boxHandleAt(viewport: Viewport, a: Box, screen: Point): HandleId | null {
  const s = viewport.toScreenBox(a)
  const w = s.x2 - s.x1
  const h = s.y2 - s.y1
  const near = (handle: HandleId) => {
    const p = handlePoint(s, handle)
    return Math.abs(p.x - screen.x) <= HANDLE_GRAB && Math.abs(p.y - screen.y) <= HANDLE_GRAB
  }
  for (const handle of CORNERS) if (near(handle)) return handle
  for (const handle of MIDPOINTS) {
    const side = handle === 'n' || handle === 's' ? w : h
    if (side >= HANDLE_SIZE * 3 && near(handle)) return handle
  }
  // Anywhere along an edge of a box big enough on screen to still be moved from inside.
  const inX = screen.x >= s.x1 && screen.x <= s.x2
  const inY = screen.y >= s.y1 && screen.y <= s.y2
  if (w > EDGE_GRAB * 6 && h > EDGE_GRAB * 6) {
    if (inX && Math.abs(screen.y - s.y1) <= EDGE_GRAB) return 'n'
    if (inX && Math.abs(screen.y - s.y2) <= EDGE_GRAB) return 's'
    if (inY && Math.abs(screen.x - s.x1) <= EDGE_GRAB) return 'w'
    if (inY && Math.abs(screen.x - s.x2) <= EDGE_GRAB) return 'e'
  }
  return null
}

export type VertexHandle = { type: 'vertex'; index: number } | { type: 'midpoint'; edge: number }

/** Which midpoints are shown: those of edges long enough on screen (indices into edgeMidpoints). */
export function visibleMidpoints(screenPoints: readonly Point[]): boolean[] {
  const n = screenPoints.length
  return screenPoints.map((a, i) => distance(a, screenPoints[(i + 1) % n] as Point) >= MIDPOINT_MIN_EDGE)
}

/** The vertex (nearest first) or shown edge midpoint of a polygon under `screen`. */
export function vertexHandleAt(viewport: Viewport, points: readonly Point[], screen: Point): VertexHandle | null {
  const s = points.map((p) => viewport.toScreen(p))
  let nearest = -1
  let nearestDistance = VERTEX_GRAB
  for (let i = 0; i < s.length; i++) {
    const d = distance(s[i] as Point, screen)
    if (d <= nearestDistance) {
      nearest = i
      nearestDistance = d
    }
  }
  if (nearest >= 0) return { type: 'vertex', index: nearest }
  const shown = visibleMidpoints(s)
  const mids = edgeMidpoints(s)
  for (let edge = 0; edge < mids.length; edge++) {
    if (shown[edge] && distance(mids[edge] as Point, screen) <= MIDPOINT_GRAB) return { type: 'midpoint', edge }
  }
  return null
}

/** The edge of a polygon's outline near `screen`, and the image point on it nearest the pointer. */
export function outlinePointAt(viewport: Viewport, points: readonly Point[], screen: Point): { edge: number; point: Point } | null {
  const hit = nearestEdge(viewport.toImage(screen), points)
  if (!hit || hit.distance * viewport.scale > OUTLINE_GRAB) return null
  return { edge: hit.edge, point: hit.point }
}
