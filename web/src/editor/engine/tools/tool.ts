/**
 * Tools as explicit state machines (after tldraw): a tool owns child states, exactly one is
 * current, and pointer events go to it. A state moves on with `tool.go(next).begin(...)`.
 */
import type { AnnotationDocument } from '../document'
import type { Command } from '../history'
import type { VertexHandle } from '../handles'
import type { Annotation, Box, HandleId, ImageSize, Point, PolygonDraft, ToolId, VertexRef } from '../types'
import type { Viewport } from '../viewport'
import type { SegmentOverlay } from './segment'

export interface PointerInfo {
  /** CSS pixels relative to the canvas. */
  screen: Point
  /** Image pixels (not clamped). */
  image: Point
  button: number
  shiftKey: boolean
  altKey: boolean
  ctrlKey: boolean
}

/** What a tool draws on the interactive layer, and which boxes the static layer leaves out. */
export interface Overlay {
  hidden: ReadonlySet<string>
  moving: readonly Annotation[]
  preview: { box: Box; classId: number } | null
  marquee: Box | null
  hover: Annotation | null
  crosshair: Point | null
  /** The polygon being drawn: its placed vertices and where the pointer is. */
  draft: PolygonDraft | null
  /** The SAM tool's prompt points, box and mask. */
  segment: SegmentOverlay | null
}

/** The part of the editor a tool may use. */
export interface ToolContext {
  readonly doc: AnnotationDocument
  readonly viewport: Viewport
  readonly image: ImageSize
  readonly selectedKeys: readonly string[]
  readonly currentClassId: number | null
  select(keys: readonly string[]): void
  /** Keys under a screen point, topmost first. */
  hitTest(screen: Point): string[]
  /** Keys of boxes inside an image rectangle. */
  keysInside(area: Box): string[]
  /** A resize handle of the single selected box under a screen point. */
  hitHandle(screen: Point): { key: string; handle: HandleId } | null
  /** A vertex or edge midpoint of the single selected polygon under a screen point. */
  hitVertex(screen: Point): { key: string; handle: VertexHandle } | null
  /** The nearest point on the single selected polygon's outline, when the pointer is on it. */
  hitOutline(screen: Point): { key: string; edge: number; point: Point } | null
  /** The vertex last clicked on the selected polygon (Delete removes it), or null. */
  readonly activeVertex: VertexRef | null
  setActiveVertex(vertex: VertexRef | null): void
  execute(command: Command): void
  setOverlay(overlay: Partial<Overlay>): void
  setCursor(cursor: string): void
  newKey(): string
}

export abstract class StateNode {
  abstract readonly id: string
  onExit(): void {}
  onPointerDown(_e: PointerInfo): void {}
  onPointerMove(_e: PointerInfo): void {}
  onPointerUp(_e: PointerInfo): void {}
  /** Escape or lost pointer capture: abandon what is in progress. */
  onCancel(): void {}
}

export abstract class Tool {
  abstract readonly id: ToolId
  protected abstract current: StateNode

  constructor(readonly ctx: ToolContext) {}

  /** The current child state's id, e.g. `select.translating`. */
  get path(): string {
    return `${this.id}.${this.current.id}`
  }

  go<S extends StateNode>(state: S): S {
    this.current.onExit()
    this.current = state
    return state
  }

  /** The state to return to when the tool is left or an interaction ends. */
  abstract idle(): void

  onEnter(): void {}
  onExit(): void {
    this.current.onCancel()
    this.idle()
  }
  onPointerDown(e: PointerInfo): void {
    this.current.onPointerDown(e)
  }
  onPointerMove(e: PointerInfo): void {
    this.current.onPointerMove(e)
  }
  onPointerUp(e: PointerInfo): void {
    this.current.onPointerUp(e)
  }
  onCancel(): void {
    this.current.onCancel()
  }
  /** Space held to pan: a drag in progress ends; tools whose work spans several clicks keep it. */
  onPanStart(): void {
    this.onCancel()
  }
}

/** The idle state of a tool that draws: the crosshair follows the pointer; a left press with a class picked starts. */
export class CrosshairIdle extends StateNode {
  readonly id = 'idle'
  constructor(
    private readonly ctx: ToolContext,
    private readonly start: (e: PointerInfo) => void,
  ) {
    super()
  }

  override onPointerMove(e: PointerInfo): void {
    this.ctx.setOverlay({ crosshair: e.screen })
  }

  override onPointerDown(e: PointerInfo): void {
    if (e.button !== 0 || this.ctx.currentClassId === null) return
    this.start(e)
  }
}

/** Drags shorter than this (CSS px) are clicks. */
export const DRAG_THRESHOLD = 3

export function movedBeyond(a: Point, b: Point, threshold = DRAG_THRESHOLD): boolean {
  return Math.abs(a.x - b.x) > threshold || Math.abs(a.y - b.y) > threshold
}
