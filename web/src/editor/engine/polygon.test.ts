import { describe, expect, it } from 'vitest'
import { outlinePointAt, vertexHandleAt } from './handles'
import { HitIndex } from './hit-index'
import {
  insertVertex,
  isValidPolygon,
  moveVertex,
  nearestEdge,
  pointInPolygon,
  polygonArea,
  polygonBounds,
  polygonHit,
  polygonPatch,
  removeVertex,
} from './polygon'
import type { Point } from './types'
import { Viewport } from './viewport'

const pts = (pairs: [number, number][]): Point[] => pairs.map(([x, y]) => ({ x, y }))
const IMAGE = { width: 1000, height: 800 }
// An L shape: the notch (150, 150) lies inside its bounds but outside the shape.
const L = pts([
  [100, 100],
  [200, 100],
  [200, 140],
  [140, 140],
  [140, 200],
  [100, 200],
])

describe('polygon geometry', () => {
  it('bounds, area and containment of an L shape', () => {
    expect(polygonBounds(L)).toEqual({ x1: 100, y1: 100, x2: 200, y2: 200 })
    expect(polygonArea(L)).toBe(100 * 40 + 40 * 60)
    expect(pointInPolygon({ x: 120, y: 180 }, L)).toBe(true)
    expect(pointInPolygon({ x: 170, y: 120 }, L)).toBe(true)
    expect(pointInPolygon({ x: 170, y: 170 }, L)).toBe(false)
  })

  it('finds the nearest edge and the point on it', () => {
    const edge = nearestEdge({ x: 150, y: 95 }, L)
    expect(edge).toEqual({ edge: 0, point: { x: 150, y: 100 }, distance: 5 })
    expect(nearestEdge({ x: 95, y: 150 }, L)?.edge).toBe(5)
    expect(polygonHit({ x: 170, y: 141 }, L, 2)).toBe(true)
    expect(polygonHit({ x: 170, y: 150 }, L, 2)).toBe(false)
  })

  it('moves, inserts and removes vertices; keeps 3 and clamps to the image', () => {
    const triangle = pts([
      [10, 10],
      [50, 10],
      [30, 40],
    ])
    expect(moveVertex(triangle, 1, { x: 2000, y: -5 }, IMAGE)[1]).toEqual({ x: 1000, y: 0 })
    const four = insertVertex(triangle, 0, { x: 30, y: 5 }, IMAGE)
    expect(four).toEqual(pts([[10, 10], [30, 5], [50, 10], [30, 40]]))
    expect(removeVertex(four, 1)).toEqual(triangle)
    expect(removeVertex(triangle, 0)).toBeNull()
  })

  it('says which vertex lists the server will take', () => {
    expect(isValidPolygon(L)).toBe(true)
    expect(isValidPolygon(L.slice(0, 2))).toBe(false)
    // Collinear: a bounding box but no area.
    expect(isValidPolygon(pts([[0, 0], [10, 10], [20, 20]]))).toBe(false)
    expect(polygonPatch(L)).toMatchObject({ x1: 100, y1: 100, x2: 200, y2: 200 })
    expect(polygonPatch(L).points).not.toBe(L)
  })
})

describe('HitIndex with polygons', () => {
  it('hits a polygon inside it and near its outline, not in the empty part of its bounds', () => {
    const index = new HitIndex(IMAGE)
    index.insert('L', { ...polygonBounds(L), points: L })
    index.insert('box', { x1: 160, y1: 160, x2: 190, y2: 190 })
    expect(index.queryPoint({ x: 120, y: 180 })).toEqual(['L'])
    expect(index.queryPoint({ x: 175, y: 175 })).toEqual(['box'])
    expect(index.queryPoint({ x: 150, y: 150 })).toEqual([])
    expect(index.queryPoint({ x: 150, y: 142 }, 3)).toEqual(['L'])
    // Rectangle queries (marquee) still use the bounds.
    expect(index.queryBox({ x1: 145, y1: 145, x2: 155, y2: 155 })).toEqual(['L'])
  })
})

describe('vertex handles', () => {
  const viewport = new Viewport()
  viewport.setImage(IMAGE)
  viewport.resize(1000, 800)
  viewport.zoomToScale(2, { x: 0, y: 0 })
  viewport.panBy(-viewport.x, -viewport.y)

  it('finds vertices and edge midpoints in screen space', () => {
    // Scale 2: vertex (200, 100) is at screen (400, 200).
    expect(vertexHandleAt(viewport, L, { x: 403, y: 198 })).toEqual({ type: 'vertex', index: 1 })
    expect(vertexHandleAt(viewport, L, { x: 300, y: 201 })).toEqual({ type: 'midpoint', edge: 0 })
    expect(vertexHandleAt(viewport, L, { x: 300, y: 260 })).toBeNull()
  })

  it('finds the point on the outline under the pointer', () => {
    expect(outlinePointAt(viewport, L, { x: 250, y: 204 })).toEqual({ edge: 0, point: { x: 125, y: 100 } })
    expect(outlinePointAt(viewport, L, { x: 250, y: 240 })).toBeNull()
  })
})
