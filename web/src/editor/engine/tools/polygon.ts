/**
 * The polygon tool: each click places a vertex of the current class; clicking the first vertex,
 * clicking the last one again (a double click) or Enter closes the polygon; Backspace or Ctrl+Z
 * takes back the last vertex; Escape abandons the polygon; Space pans without losing it.
 */
import { clampPoint } from '../geometry'
import { CreateCommand } from '../history'
import { distance, isValidPolygon, MAX_VERTICES, MIN_VERTICES, polygonPatch } from '../polygon'
import type { Annotation, Point } from '../types'
import { CrosshairIdle, StateNode, Tool, type PointerInfo } from './tool'

/** A click this close (CSS px) to the first vertex closes the polygon. */
export const CLOSE_RADIUS = 8
/** A click this close (CSS px) to the last vertex is the second click of a double click. */
const REPEAT_RADIUS = 4

class Drawing extends StateNode {
  readonly id = 'drawing'
  points: Point[] = []
  private cursor: Point | null = null

  constructor(private readonly tool: PolygonTool) {
    super()
  }

  begin(e: PointerInfo): void {
    this.points = [clampPoint(e.image, this.tool.ctx.image)]
    this.cursor = this.points[0] ?? null
    this.show(e.screen)
  }

  override onPointerMove(e: PointerInfo): void {
    this.cursor = clampPoint(e.image, this.tool.ctx.image)
    this.show(e.screen)
  }

  override onPointerDown(e: PointerInfo): void {
    if (e.button !== 0) return
    const { points } = this
    const first = points[0]
    const last = points.at(-1)
    if (first && points.length >= MIN_VERTICES && this.near(first, e.screen, CLOSE_RADIUS)) {
      this.finish()
      return
    }
    if (last && this.near(last, e.screen, REPEAT_RADIUS)) {
      if (points.length >= MIN_VERTICES) this.finish()
      return
    }
    if (points.length >= MAX_VERTICES) return
    points.push(clampPoint(e.image, this.tool.ctx.image))
    this.show(e.screen)
  }

  /** Close the polygon: create it when it is a valid shape, else keep drawing. */
  finish(): boolean {
    const { ctx } = this.tool
    const classId = ctx.currentClassId
    if (classId === null || !isValidPolygon(this.points)) return false
    const annotation: Annotation = {
      key: ctx.newKey(),
      id: null,
      classId,
      kind: 'polygon',
      ...polygonPatch(this.points),
      source: 'manual',
      confidence: null,
      reviewState: 'none',
    }
    this.clear()
    ctx.execute(new CreateCommand([annotation]))
    ctx.select([annotation.key])
    this.tool.idle()
    return true
  }

  removeLast(): void {
    this.points.pop()
    if (this.points.length === 0) this.onCancel()
    else this.show(null)
  }

  override onCancel(): void {
    this.clear()
    this.tool.idle()
  }

  private near(vertex: Point, screen: Point, radius: number): boolean {
    return distance(this.tool.ctx.viewport.toScreen(vertex), screen) <= radius
  }

  private show(screen: Point | null): void {
    const { ctx } = this.tool
    const classId = ctx.currentClassId
    if (classId === null) return
    const first = this.points[0]
    const closing = screen !== null && first !== undefined && this.points.length >= MIN_VERTICES && this.near(first, screen, CLOSE_RADIUS)
    ctx.setOverlay({ draft: { points: [...this.points], cursor: this.cursor, classId, closing }, ...(screen ? { crosshair: screen } : {}) })
  }

  private clear(): void {
    this.points = []
    this.cursor = null
    this.tool.ctx.setOverlay({ draft: null })
  }
}

export class PolygonTool extends Tool {
  readonly id = 'polygon' as const
  // A new outline starts with nothing selected, so class keys pressed while drawing change only it.
  readonly idleState = new CrosshairIdle(this.ctx, (e) => {
    this.ctx.select([])
    this.go(this.drawing).begin(e)
  })
  readonly drawing = new Drawing(this)
  protected current: StateNode = this.idleState

  idle(): void {
    this.go(this.idleState)
  }

  get isDrawing(): boolean {
    return this.current === this.drawing
  }

  /** Enter: close the polygon being drawn. False when there is none, or it is not a shape yet. */
  finish(): boolean {
    return this.isDrawing && this.drawing.finish()
  }

  /** Backspace while drawing: take back the last vertex (the first one abandons the polygon). */
  removeLastVertex(): boolean {
    if (!this.isDrawing) return false
    this.drawing.removeLast()
    return true
  }

  override onEnter(): void {
    this.ctx.setCursor('crosshair')
  }

  /** Panning in the middle of a polygon keeps its vertices: big outlines are drawn zoomed in. */
  override onPanStart(): void {
    this.ctx.setOverlay({ crosshair: null })
  }

  override onExit(): void {
    super.onExit()
    this.ctx.setOverlay({ crosshair: null, draft: null })
  }
}
