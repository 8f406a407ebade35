/**
 * The select tool: click to select (topmost, cycling), drag to move, handles to resize, drag on
 * empty space to box-select. On a selected polygon: drag a vertex to move it, click or drag an
 * edge midpoint (or Ctrl+click the outline) to add one, Alt+click a vertex to delete it.
 */
import { boxFromPoints, clamp, handleCursor, resizeBox, sameBox, translateAnnotation as translated } from '../geometry'
import type { VertexHandle } from '../handles'
import { UpdateCommand } from '../history'
import { edgeMidpoints, insertVertex, isValidPolygon, moveVertex, polygonPatch, removeVertex } from '../polygon'
import { shapesWord } from '../shape-words'
import type { Annotation, Box, HandleId, Point } from '../types'
import { movedBeyond, StateNode, Tool, type PointerInfo } from './tool'

/** Clicks within this many CSS px of the last one cycle through the boxes under the pointer. */
const CYCLE_DISTANCE = 4

class Idle extends StateNode {
  readonly id = 'idle'
  constructor(private readonly tool: SelectTool) {
    super()
  }

  override onPointerMove(e: PointerInfo): void {
    const { ctx } = this.tool
    const vertex = ctx.hitVertex(e.screen)
    if (vertex || (e.ctrlKey && ctx.hitOutline(e.screen))) {
      ctx.setCursor(vertex?.handle.type === 'vertex' ? (e.altKey ? 'not-allowed' : 'move') : 'copy')
      ctx.setOverlay({ hover: null })
      return
    }
    const handle = ctx.hitHandle(e.screen)
    if (handle) {
      ctx.setCursor(handleCursor(handle.handle))
      ctx.setOverlay({ hover: null })
      return
    }
    const top = ctx.hitTest(e.screen)[0]
    ctx.setCursor(top ? 'move' : 'default')
    ctx.setOverlay({ hover: top ? (ctx.doc.get(top) ?? null) : null })
  }

  override onPointerDown(e: PointerInfo): void {
    if (e.button !== 0) return
    const { ctx } = this.tool
    ctx.setOverlay({ hover: null })
    if (this.onVertex(e)) return
    const handle = ctx.hitHandle(e.screen)
    if (handle) {
      this.tool.go(this.tool.resizing).begin(handle.key, handle.handle)
      return
    }
    const hits = ctx.hitTest(e.screen)
    if (hits.length === 0) {
      this.tool.go(this.tool.brushing).begin(e)
      return
    }
    const selected = new Set(ctx.selectedKeys)
    const target = hits.find((k) => selected.has(k)) ?? hits[0] ?? ''
    this.tool.go(this.tool.pointing).begin(e, hits, target)
  }

  /** Pointer down on a vertex, an edge midpoint or (with Ctrl) the outline of the selected polygon. */
  private onVertex(e: PointerInfo): boolean {
    const { ctx } = this.tool
    const vertex = ctx.hitVertex(e.screen)
    if (vertex) {
      if (vertex.handle.type === 'vertex' && e.altKey) {
        const a = ctx.doc.get(vertex.key)
        const command = a ? deleteVertexCommand(a, vertex.handle.index) : null
        if (command) ctx.execute(command)
        ctx.setActiveVertex(null)
      } else {
        this.tool.go(this.tool.vertexing).begin(vertex.key, vertex.handle, e)
      }
      return true
    }
    const outline = e.ctrlKey ? ctx.hitOutline(e.screen) : null
    if (!outline) return false
    this.tool.go(this.tool.vertexing).begin(outline.key, { type: 'midpoint', edge: outline.edge }, e, outline.point)
    return true
  }
}

/**
 * Drag of a polygon vertex: moves it. On an edge midpoint (or a Ctrl+click on the outline) a new
 * vertex is inserted there first and then follows the pointer. One undo step either way.
 */
class Vertexing extends StateNode {
  readonly id = 'vertex'
  private original: Annotation | null = null
  private points: Point[] = []
  private index = 0
  private inserted = false
  private moved = false
  private down: Point = { x: 0, y: 0 }

  constructor(private readonly tool: SelectTool) {
    super()
  }

  begin(key: string, handle: VertexHandle, e: PointerInfo, at?: Point): void {
    const { ctx } = this.tool
    const original = ctx.doc.get(key)
    if (!original?.points) {
      this.tool.idle()
      return
    }
    this.original = original
    this.down = e.screen
    this.moved = false
    this.inserted = handle.type === 'midpoint'
    if (handle.type === 'midpoint') {
      const point = at ?? edgeMidpoints(original.points)[handle.edge] ?? e.image
      this.points = insertVertex(original.points, handle.edge, point, ctx.image)
      this.index = handle.edge + 1
    } else {
      this.points = [...original.points]
      this.index = handle.index
    }
    ctx.setActiveVertex({ key, index: this.index })
    ctx.setCursor(this.inserted ? 'copy' : 'move')
    ctx.setOverlay({ hidden: new Set([key]), moving: [{ ...original, ...polygonPatch(this.points) }], hover: null })
  }

  override onPointerMove(e: PointerInfo): void {
    const { original } = this
    if (!original || (!this.moved && !movedBeyond(this.down, e.screen))) return
    this.moved = true
    this.points = moveVertex(this.points, this.index, e.image, this.tool.ctx.image)
    this.tool.ctx.setOverlay({ moving: [{ ...original, ...polygonPatch(this.points) }] })
  }

  override onPointerUp(): void {
    const { ctx } = this.tool
    const { original, points } = this
    this.clear()
    if (original && (this.moved || this.inserted) && isValidPolygon(points)) {
      const label = this.inserted ? 'Add vertex' : 'Move vertex'
      ctx.execute(UpdateCommand.fromAnnotations(label, [original], () => polygonPatch(points)))
    } else if (this.inserted) {
      ctx.setActiveVertex(null)
    }
    this.tool.idle()
  }

  override onCancel(): void {
    this.clear()
    this.tool.ctx.setActiveVertex(null)
    this.tool.idle()
  }

  private clear(): void {
    this.tool.ctx.setOverlay({ hidden: new Set(), moving: [] })
  }
}

/** The undoable removal of one vertex; null when the polygon would keep fewer than 3 or no area. */
export function deleteVertexCommand(a: Annotation, index: number): UpdateCommand | null {
  const points = a.points ? removeVertex(a.points, index) : null
  if (!points || !isValidPolygon(points)) return null
  return UpdateCommand.fromAnnotations('Delete vertex', [a], () => polygonPatch(points))
}

/** Pointer down on a box: a click (select/cycle) or the start of a move. */
class Pointing extends StateNode {
  readonly id = 'pointing'
  private down: PointerInfo | null = null
  private hits: string[] = []
  private target = ''

  constructor(private readonly tool: SelectTool) {
    super()
  }

  begin(e: PointerInfo, hits: string[], target: string): void {
    this.down = e
    this.hits = hits
    this.target = target
  }

  override onPointerMove(e: PointerInfo): void {
    if (!this.down || !movedBeyond(this.down.screen, e.screen)) return
    const { ctx } = this.tool
    const selected = ctx.selectedKeys
    let keys: readonly string[]
    if (selected.includes(this.target)) keys = selected
    else if (this.down.shiftKey) keys = [...selected, this.target]
    else keys = [this.target]
    ctx.select(keys)
    this.tool.go(this.tool.translating).begin(keys, this.down.image)
    this.tool.translating.onPointerMove(e)
  }

  override onPointerUp(e: PointerInfo): void {
    const { ctx } = this.tool
    if (e.shiftKey) {
      const selected = ctx.selectedKeys
      const top = this.hits[0] ?? this.target
      ctx.select(selected.includes(top) ? selected.filter((k) => k !== top) : [...selected, top])
    } else {
      ctx.select([this.tool.pickForClick(e.screen, this.hits)])
    }
    this.tool.idle()
  }

  override onCancel(): void {
    this.tool.idle()
  }
}

class Translating extends StateNode {
  readonly id = 'translating'
  private originals: Annotation[] = []
  private start: Point = { x: 0, y: 0 }
  private delta: Point = { x: 0, y: 0 }
  private bounds: Box = { x1: 0, y1: 0, x2: 0, y2: 0 }

  constructor(private readonly tool: SelectTool) {
    super()
  }

  begin(keys: readonly string[], startImage: Point): void {
    const { ctx } = this.tool
    this.originals = keys.map((k) => ctx.doc.get(k)).filter((a): a is Annotation => a !== undefined)
    this.start = startImage
    this.delta = { x: 0, y: 0 }
    this.bounds = {
      x1: Math.min(...this.originals.map((a) => a.x1)),
      y1: Math.min(...this.originals.map((a) => a.y1)),
      x2: Math.max(...this.originals.map((a) => a.x2)),
      y2: Math.max(...this.originals.map((a) => a.y2)),
    }
    ctx.setCursor('move')
    ctx.setOverlay({ hidden: new Set(keys), moving: this.originals, hover: null })
  }

  override onPointerMove(e: PointerInfo): void {
    const { ctx } = this.tool
    const { image } = ctx
    // The whole selection moves as one and stops at the image edges.
    const dx = clamp(e.image.x - this.start.x, -this.bounds.x1, image.width - this.bounds.x2)
    const dy = clamp(e.image.y - this.start.y, -this.bounds.y1, image.height - this.bounds.y2)
    this.delta = { x: dx, y: dy }
    ctx.setOverlay({ moving: this.originals.map((a) => translated(a, dx, dy)) })
  }

  override onPointerUp(): void {
    const { ctx } = this.tool
    const { x: dx, y: dy } = this.delta
    this.clear()
    if (dx !== 0 || dy !== 0) {
      const label = `Move ${shapesWord(this.originals.map((a) => a.kind))}`
      ctx.execute(UpdateCommand.fromAnnotations(label, this.originals, (a) => patchOf(translated(a, dx, dy))))
    }
    this.tool.idle()
  }

  override onCancel(): void {
    this.clear()
    this.tool.idle()
  }

  private clear(): void {
    this.tool.ctx.setOverlay({ hidden: new Set(), moving: [] })
  }
}

class Resizing extends StateNode {
  readonly id = 'resizing'
  private original: Annotation | null = null
  private handle: HandleId = 'se'
  private box: Box | null = null

  constructor(private readonly tool: SelectTool) {
    super()
  }

  begin(key: string, handle: HandleId): void {
    const { ctx } = this.tool
    this.original = ctx.doc.get(key) ?? null
    this.handle = handle
    this.box = this.original
    ctx.setCursor(handleCursor(handle))
    ctx.setOverlay({ hidden: new Set([key]), moving: this.original ? [this.original] : [], hover: null })
  }

  override onPointerMove(e: PointerInfo): void {
    if (!this.original) return
    const { ctx } = this.tool
    this.box = resizeBox(this.original, this.handle, e.image, ctx.image)
    ctx.setOverlay({ moving: [resized(this.original, this.box)] })
  }

  override onPointerUp(): void {
    const { ctx } = this.tool
    const original = this.original
    const box = this.box
    this.clear()
    if (original && box && !sameBox(original, box) && box.x2 - box.x1 >= 1 && box.y2 - box.y1 >= 1) {
      ctx.execute(UpdateCommand.fromAnnotations(`Resize ${shapesWord([original.kind])}`, [original], (a) => patchOf(resized(a, box))))
    }
    this.tool.idle()
  }

  override onCancel(): void {
    this.clear()
    this.tool.idle()
  }

  private clear(): void {
    this.tool.ctx.setOverlay({ hidden: new Set(), moving: [] })
  }
}

/** Drag on empty space: select the boxes fully inside the rectangle. */
class Brushing extends StateNode {
  readonly id = 'brushing'
  private down: PointerInfo | null = null
  private moved = false

  constructor(private readonly tool: SelectTool) {
    super()
  }

  begin(e: PointerInfo): void {
    this.down = e
    this.moved = false
  }

  override onPointerMove(e: PointerInfo): void {
    if (!this.down) return
    if (!this.moved && !movedBeyond(this.down.screen, e.screen)) return
    this.moved = true
    this.tool.ctx.setOverlay({ marquee: boxFromPoints(this.down.image, e.image) })
  }

  override onPointerUp(e: PointerInfo): void {
    const { ctx } = this.tool
    ctx.setOverlay({ marquee: null })
    if (this.down && this.moved) {
      const inside = ctx.keysInside(boxFromPoints(this.down.image, e.image))
      ctx.select(e.shiftKey ? [...new Set([...ctx.selectedKeys, ...inside])] : inside)
    } else if (!e.shiftKey) {
      ctx.select([])
    }
    this.tool.idle()
  }

  override onCancel(): void {
    this.tool.ctx.setOverlay({ marquee: null })
    this.tool.idle()
  }
}

export class SelectTool extends Tool {
  readonly id = 'select' as const
  readonly idleState = new Idle(this)
  readonly pointing = new Pointing(this)
  readonly translating = new Translating(this)
  readonly resizing = new Resizing(this)
  readonly brushing = new Brushing(this)
  readonly vertexing = new Vertexing(this)
  protected current: StateNode = this.idleState
  private lastClick: { at: Point; picked: string } | null = null

  idle(): void {
    this.go(this.idleState)
  }

  override onEnter(): void {
    this.ctx.setCursor('default')
  }

  /**
   * Which box a click selects: the topmost, or, when clicking again where the last click was,
   * the next one below the current pick (wrapping round).
   */
  pickForClick(at: Point, hits: readonly string[]): string {
    let pick = hits[0] ?? ''
    const last = this.lastClick
    if (last && !movedBeyond(last.at, at, CYCLE_DISTANCE) && hits.length > 1) {
      const index = hits.indexOf(last.picked)
      if (index >= 0) pick = hits[(index + 1) % hits.length] ?? pick
    }
    this.lastClick = { at, picked: pick }
    return pick
  }
}

/** A polygon's vertices are scaled with its bounds. */
function resized(a: Annotation, box: Box): Annotation {
  let points = a.points
  if (points) {
    const sx = (box.x2 - box.x1) / Math.max(1e-9, a.x2 - a.x1)
    const sy = (box.y2 - box.y1) / Math.max(1e-9, a.y2 - a.y1)
    points = points.map((p) => ({ x: box.x1 + (p.x - a.x1) * sx, y: box.y1 + (p.y - a.y1) * sy }))
  }
  return { ...a, ...box, points }
}

function patchOf(a: Annotation): Pick<Annotation, 'x1' | 'y1' | 'x2' | 'y2' | 'points'> {
  return { x1: a.x1, y1: a.y1, x2: a.x2, y2: a.y2, points: a.points }
}
