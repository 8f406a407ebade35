/**
 * A uniform grid over the image: each box is listed in the cells it overlaps, so a point or
 * rectangle query looks at a handful of cells instead of every box. A polygon is listed by its
 * bounds, and a point hits it only inside it or near its outline.
 */
import { polygonHit } from './polygon'
import type { Box, ImageSize, Point } from './types'

/** What the index keeps of a shape: its bounds, and its vertices when it is a polygon. */
export type Shape = Box & { points?: readonly Point[] | null }

const CELLS_PER_SIDE = 64

export class HitIndex {
  private cellSize = 1
  private cols = 1
  private rows = 1
  private cells: Set<string>[] = []
  private readonly boxes = new Map<string, { box: Box; points: readonly Point[] | null; cells: number[] }>()

  constructor(image: ImageSize = { width: 1, height: 1 }) {
    this.reset(image)
  }

  reset(image: ImageSize): void {
    this.cellSize = Math.max(8, Math.max(image.width, image.height) / CELLS_PER_SIDE)
    this.cols = Math.max(1, Math.ceil(image.width / this.cellSize))
    this.rows = Math.max(1, Math.ceil(image.height / this.cellSize))
    this.cells = Array.from({ length: this.cols * this.rows }, () => new Set<string>())
    this.boxes.clear()
  }

  get size(): number {
    return this.boxes.size
  }

  insert(key: string, shape: Shape): void {
    if (this.boxes.has(key)) this.remove(key)
    const box = { x1: shape.x1, y1: shape.y1, x2: shape.x2, y2: shape.y2 }
    const cells = this.cellsFor(box)
    for (const c of cells) this.cells[c]?.add(key)
    this.boxes.set(key, { box, points: shape.points ?? null, cells })
  }

  remove(key: string): void {
    const entry = this.boxes.get(key)
    if (!entry) return
    for (const c of entry.cells) this.cells[c]?.delete(key)
    this.boxes.delete(key)
  }

  update(key: string, shape: Shape): void {
    this.insert(key, shape)
  }

  /**
   * Keys of the boxes containing `p`, grown by `tolerance` image pixels, and of the polygons with
   * `p` inside or within `tolerance` of their outline (unordered).
   */
  queryPoint(p: Point, tolerance = 0): string[] {
    return this.queryBox({ x1: p.x - tolerance, y1: p.y - tolerance, x2: p.x + tolerance, y2: p.y + tolerance }, true, p, tolerance)
  }

  /** Keys of the boxes that intersect `area` (unordered). */
  queryBox(area: Box, containPoint = false, p?: Point, tolerance = 0): string[] {
    const found = new Set<string>()
    const [c1, r1, c2, r2] = this.cellRange(area)
    for (let r = r1; r <= r2; r++) {
      for (let c = c1; c <= c2; c++) {
        const cell = this.cells[r * this.cols + c]
        if (!cell) continue
        for (const key of cell) {
          if (found.has(key)) continue
          const entry = this.boxes.get(key)
          if (!entry) continue
          const { box, points } = entry
          const hit =
            containPoint && p
              ? p.x >= box.x1 - tolerance &&
                p.x <= box.x2 + tolerance &&
                p.y >= box.y1 - tolerance &&
                p.y <= box.y2 + tolerance &&
                (!points || polygonHit(p, points, tolerance))
              : box.x1 <= area.x2 && box.x2 >= area.x1 && box.y1 <= area.y2 && box.y2 >= area.y1
          if (hit) found.add(key)
        }
      }
    }
    return [...found]
  }

  private cellRange(box: Box): [number, number, number, number] {
    const s = this.cellSize
    const c1 = Math.max(0, Math.min(this.cols - 1, Math.floor(box.x1 / s)))
    const c2 = Math.max(0, Math.min(this.cols - 1, Math.floor(box.x2 / s)))
    const r1 = Math.max(0, Math.min(this.rows - 1, Math.floor(box.y1 / s)))
    const r2 = Math.max(0, Math.min(this.rows - 1, Math.floor(box.y2 / s)))
    return [c1, r1, c2, r2]
  }

  private cellsFor(box: Box): number[] {
    const [c1, r1, c2, r2] = this.cellRange(box)
    const cells: number[] = []
    for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) cells.push(r * this.cols + c)
    return cells
  }
}
