/**
 * The SAM tool: a click adds a point the object includes, Shift+click (or Alt+click) one it
 * excludes, a drag sets a box around it. Each change is announced as a new prompt version; the
 * page asks the server for a mask and hands the answer back with `setResult`. Enter keeps the
 * shape (a box, or a polygon in a polygon dataset) in the current class; Escape clears.
 */
import { Emitter } from '../emitter'
import { boxFromPoints, clampPoint } from '../geometry'
import { CreateCommand } from '../history'
import type { MaskImage } from '../mask'
import { isValidPolygon, MAX_VERTICES, polygonPatch } from '../polygon'
import type { Annotation, AnnotationKind, Box, Point } from '../types'
import { StateNode, Tool, movedBeyond, type PointerInfo } from './tool'

export interface PromptPoint extends Point {
  positive: boolean
}

export interface SegmentPrompt {
  /** Grows by one with every change, so a late answer to an older prompt can be told apart. */
  version: number
  points: readonly PromptPoint[]
  box: Box | null
}

/** The server's answer for one prompt version. */
export interface SegmentResult {
  mask: MaskImage | null
  box: Box
  polygon: readonly Point[]
  score: number
}

/** What the interactive layer draws while the tool is in use. */
export interface SegmentOverlay {
  points: readonly PromptPoint[]
  box: Box | null
  /** The box being dragged. */
  dragging: Box | null
  result: SegmentResult | null
  classId: number | null
}

/** Smaller drags (CSS px) are clicks. */
const BOX_DRAG_MIN = 4

class Idle extends StateNode {
  readonly id = 'idle'
  constructor(private readonly tool: SegmentTool) {
    super()
  }
  override onPointerDown(e: PointerInfo): void {
    if (e.button === 0) this.tool.go(this.tool.pressing).begin(e)
  }
}

/** Button down: a click (a point) unless the pointer moves far enough to become a box. */
class Pressing extends StateNode {
  readonly id = 'pressing'
  private start: PointerInfo | null = null
  private dragging = false
  constructor(private readonly tool: SegmentTool) {
    super()
  }

  begin(e: PointerInfo): void {
    this.start = e
    this.dragging = false
  }

  override onPointerMove(e: PointerInfo): void {
    if (!this.start) return
    if (!this.dragging && movedBeyond(this.start.screen, e.screen, BOX_DRAG_MIN)) this.dragging = true
    if (this.dragging) this.tool.showDrag(this.boxTo(this.start, e))
  }

  override onPointerUp(e: PointerInfo): void {
    const start = this.start
    this.start = null
    this.tool.idle()
    if (!start) return
    if (this.dragging) this.tool.setBox(this.boxTo(start, e))
    else this.tool.addPoint(clampPoint(start.image, this.tool.ctx.image), !(start.shiftKey || start.altKey))
  }

  override onCancel(): void {
    this.start = null
    this.tool.idle()
  }

  private boxTo(start: PointerInfo, e: PointerInfo): Box {
    const image = this.tool.ctx.image
    return boxFromPoints(clampPoint(start.image, image), clampPoint(e.image, image))
  }
}

/** At most this many vertices, evenly picked, so a detailed mask outline stays a valid polygon. */
function thinned(points: readonly Point[]): Point[] {
  if (points.length <= MAX_VERTICES) return [...points]
  const step = points.length / MAX_VERTICES
  return Array.from({ length: MAX_VERTICES }, (_, i) => points[Math.floor(i * step)] as Point)
}

export class SegmentTool extends Tool {
  readonly id = 'segment' as const
  readonly events = new Emitter<{ prompt: SegmentPrompt }>()
  readonly idleState = new Idle(this)
  readonly pressing = new Pressing(this)
  protected current: StateNode = this.idleState
  /** What Enter creates: boxes, or polygons in a polygon dataset. */
  output: AnnotationKind = 'bbox'

  private points: PromptPoint[] = []
  private box: Box | null = null
  private version = 0
  private result: { version: number; value: SegmentResult } | null = null
  private commitWaiting = false

  idle(): void {
    this.go(this.idleState)
  }

  override get path(): string {
    return this.current === this.idleState && this.hasPrompt ? 'segment.prompting' : super.path
  }

  get hasPrompt(): boolean {
    return this.points.length > 0 || this.box !== null
  }

  get prompt(): SegmentPrompt {
    return { version: this.version, points: [...this.points], box: this.box }
  }

  /** The answer shown now (possibly for an older prompt while a newer one is asked). */
  get shown(): SegmentResult | null {
    return this.result?.value ?? null
  }

  addPoint(at: Point, positive: boolean): void {
    this.points.push({ x: at.x, y: at.y, positive })
    this.changed()
  }

  setBox(box: Box | null): void {
    this.box = box && box.x2 - box.x1 >= 1 && box.y2 - box.y1 >= 1 ? box : null
    this.changed()
  }

  /** Ctrl+Z while prompting: take back the last point (then the box). False when there is nothing. */
  removeLastPrompt(): boolean {
    if (this.points.length > 0) this.points.pop()
    else if (this.box) this.box = null
    else return false
    this.changed()
    return true
  }

  /** Show the server's answer to prompt `version`; answers to a cleared or newer-answered prompt are dropped. */
  setResult(version: number, value: SegmentResult | null): void {
    if (!this.hasPrompt || version > this.version || (this.result && this.result.version > version)) return
    this.result = value ? { version, value } : null
    this.draw(null)
    if (this.commitWaiting && version === this.version) this.finish()
  }

  /**
   * Enter: keep the shape in the current class. When the answer to the latest prompt has not come
   * yet, the shape is kept as soon as it does. False when there is nothing to keep.
   */
  finish(): boolean {
    const classId = this.ctx.currentClassId
    if (classId === null || !this.hasPrompt) return false
    if (!this.result || this.result.version !== this.version) {
      this.commitWaiting = true
      return true
    }
    const annotation = this.annotationFrom(this.result.value, classId)
    this.clear()
    this.ctx.execute(new CreateCommand([annotation]))
    this.ctx.select([annotation.key])
    return true
  }

  /** Forget the prompt and the mask. */
  clear(): void {
    this.points = []
    this.box = null
    this.result = null
    this.commitWaiting = false
    this.version += 1
    this.events.emit('prompt', this.prompt)
    this.draw(null)
  }

  showDrag(box: Box): void {
    this.draw(box)
  }

  override onEnter(): void {
    this.ctx.setCursor('crosshair')
    this.draw(null)
  }

  /** Escape: a drag in progress ends; otherwise the prompt is cleared. */
  override onCancel(): void {
    if (this.current !== this.idleState) super.onCancel()
    else if (this.hasPrompt) this.clear()
    this.draw(null)
  }

  /** Panning keeps the points: objects are often prompted zoomed in. */
  override onPanStart(): void {
    if (this.current !== this.idleState) super.onCancel()
  }

  override onExit(): void {
    super.onExit()
    this.clear()
    this.ctx.setOverlay({ segment: null })
  }

  private changed(): void {
    this.version += 1
    this.commitWaiting = false
    if (!this.hasPrompt) this.result = null
    this.events.emit('prompt', this.prompt)
    this.draw(null)
  }

  private draw(dragging: Box | null): void {
    this.ctx.setOverlay({
      segment: { points: [...this.points], box: this.box, dragging, result: this.result?.value ?? null, classId: this.ctx.currentClassId },
    })
  }

  private annotationFrom(result: SegmentResult, classId: number): Annotation {
    const polygon = thinned(result.polygon.map((p) => clampPoint(p, this.ctx.image)))
    const asPolygon = this.output === 'polygon' && isValidPolygon(polygon)
    const base = { key: this.ctx.newKey(), id: null, classId, source: 'manual' as const, confidence: null, reviewState: 'none' as const }
    if (asPolygon) return { ...base, kind: 'polygon', ...polygonPatch(polygon) }
    const a = clampPoint({ x: result.box.x1, y: result.box.y1 }, this.ctx.image)
    const b = clampPoint({ x: result.box.x2, y: result.box.y2 }, this.ctx.image)
    return { ...base, kind: 'bbox', ...boxFromPoints(a, b), points: null }
  }
}
