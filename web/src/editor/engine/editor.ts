/**
 * The editor engine: one object that owns the document, history, spatial index, viewport,
 * renderer and tools, turns DOM input into tool events, and tells the outside world what
 * changed through typed events. No React here; the page mounts it on a host element.
 */
import { AnnotationDocument, newClientId, type DocumentChange, type SaveSnapshot } from './document'
import { Emitter } from './emitter'
import { boxHandleAt, outlinePointAt, vertexHandleAt, type VertexHandle } from './handles'
import { HitIndex } from './hit-index'
import { CreateCommand, DeleteCommand, History, UpdateCommand, type Command, type HistoryState } from './history'
import {
  Renderer,
  type FrameScheduler,
  type ImageLevels,
  type InteractiveScene,
  type StaticRenderInfo,
  type StaticScene,
} from './renderer'
import { DrawTool } from './tools/draw'
import { PanTool } from './tools/pan'
import { PolygonTool } from './tools/polygon'
import { ReviewFilter, type ReviewChange } from './review'
import { SegmentTool, type SegmentPrompt } from './tools/segment'
import { deleteVertexCommand, SelectTool } from './tools/select'
import type { Overlay, PointerInfo, Tool, ToolContext } from './tools/tool'
import { shapesWord } from './shape-words'
import type { Annotation, AnnotationKind, Box, ChangeSet, ClassInfo, HandleId, ImageSize, Point, ToolId, VertexRef } from './types'
import { createLayers, listenToCanvas } from './canvas-input'
import { Viewport, type ViewportState } from './viewport'
import { unionOf, Visibility, VisibilityCommand, type VisibilityChange, type VisibilityFlag } from './visibility'

export interface EditorEvents {
  selectionchange: { keys: readonly string[] }
  documentchange: DocumentChange & { count: number; dirty: boolean }
  viewportchange: ViewportState
  toolchange: { tool: ToolId; spacePan: boolean; state: string }
  historychange: HistoryState
  classchange: { currentClassId: number | null }
  render: StaticRenderInfo & { imageDrawn: boolean }
  visibilitychange: VisibilityChange
  /** The review threshold moved, or predictions were accepted, rejected or restored. */
  reviewchange: ReviewChange
  /** The SAM tool's prompt changed (a point, a box, cleared). */
  segmentprompt: SegmentPrompt
}

export interface EditorOptions {
  scheduler?: FrameScheduler
}

const EMPTY_SET: ReadonlySet<string> = new Set()

export class Editor implements ToolContext {
  readonly events = new Emitter<EditorEvents>()
  readonly doc = new AnnotationDocument()
  readonly history = new History(this.doc)
  readonly viewport = new Viewport()
  readonly hitIndex = new HitIndex()
  readonly visibility = new Visibility()
  /** Which AI predictions are shown (threshold) and which are rejected. */
  readonly review = new ReviewFilter()
  readonly renderer: Renderer

  private readonly tools: { select: SelectTool; draw: DrawTool; polygon: PolygonTool; segment: SegmentTool; pan: PanTool }
  private tool: Tool
  private spacePan = false
  private middlePan: Point | null = null
  private selection: readonly string[] = []
  private classMap = new Map<number, ClassInfo>()
  private classId: number | null = null
  private levels: ImageLevels | null = null
  private overlay: Overlay = { hidden: EMPTY_SET, moving: [], preview: null, marquee: null, hover: null, crosshair: null, draft: null, segment: null }
  private vertex: VertexRef | null = null
  private host: HTMLElement | null = null
  private interactiveCanvas: HTMLCanvasElement | null = null
  private resizeObserver: ResizeObserver | null = null
  private detachInput: (() => void) | null = null
  private fitPending = true

  constructor(options: EditorOptions = {}) {
    this.renderer = new Renderer(
      () => this.staticScene(),
      () => this.interactiveScene(),
      options.scheduler,
    )
    this.renderer.onStaticRendered = (info) => this.events.emit('render', { ...info, imageDrawn: this.levels !== null })
    this.tools = { select: new SelectTool(this), draw: new DrawTool(this), polygon: new PolygonTool(this), segment: new SegmentTool(this), pan: new PanTool(this) }
    this.tool = this.tools.select
    this.tools.segment.events.on('prompt', (prompt) => this.events.emit('segmentprompt', prompt))
    this.review.events.on('change', (change) => {
      this.select(this.selection)
      this.renderer.invalidateAll()
      this.events.emit('reviewchange', change)
    })

    this.doc.events.on('change', (change) => this.onDocumentChange(change))
    this.history.events.on('change', (state) => this.events.emit('historychange', state))
    this.visibility.events.on('change', (change) => this.onVisibilityChange(change))
    this.viewport.events.on('change', (state) => {
      this.renderer.invalidateAll()
      this.events.emit('viewportchange', state)
    })
  }

  // ---- ToolContext ----------------------------------------------------------------------

  get image(): ImageSize {
    return this.doc.image
  }

  get selectedKeys(): readonly string[] {
    return this.selection
  }

  get currentClassId(): number | null {
    return this.classId
  }

  select(keys: readonly string[]): void {
    const next = [...new Set(keys)].filter((k) => this.doc.has(k) && this.visibility.isEditable(k) && !this.review.isHidden(k))
    if (next.length === this.selection.length && next.every((k, i) => k === this.selection[i])) return
    this.selection = next
    if (this.vertex && (next.length !== 1 || next[0] !== this.vertex.key)) this.vertex = null
    this.renderer.invalidateInteractive()
    this.events.emit('selectionchange', { keys: next })
  }

  /** Keys under a screen point that a click may select (not hidden, not locked), topmost first. */
  hitTest(screen: Point): string[] {
    return this.keysAt(screen).filter((k) => !this.visibility.isLocked(k))
  }

  /** Keys of the boxes drawn under a screen point (locked ones too), topmost first. */
  keysAt(screen: Point): string[] {
    const p = this.viewport.toImage(screen)
    const tolerance = 2 / this.viewport.scale
    const keys = this.hitIndex.queryPoint(p, tolerance).filter((k) => !this.visibility.isHidden(k) && !this.review.isHidden(k))
    keys.sort((a, b) => this.doc.zOf(b) - this.doc.zOf(a))
    return keys
  }

  keysInside(area: Box): string[] {
    return this.hitIndex
      .queryBox(area)
      .filter((k) => {
        const a = this.doc.get(k)
        return a !== undefined && !this.review.isHidden(k) && a.x1 >= area.x1 && a.y1 >= area.y1 && a.x2 <= area.x2 && a.y2 <= area.y2
      })
      .sort((a, b) => this.doc.zOf(a) - this.doc.zOf(b))
  }

  hitHandle(screen: Point): { key: string; handle: HandleId } | null {
    const a = this.editable()
    const handle = a && !a.points ? boxHandleAt(this.viewport, a, screen) : null
    return a && handle ? { key: a.key, handle } : null
  }

  hitVertex(screen: Point): { key: string; handle: VertexHandle } | null {
    const a = this.editable()
    const handle = a?.points ? vertexHandleAt(this.viewport, a.points, screen) : null
    return a && handle ? { key: a.key, handle } : null
  }

  hitOutline(screen: Point): { key: string; edge: number; point: Point } | null {
    const a = this.editable()
    const hit = a?.points ? outlinePointAt(this.viewport, a.points, screen) : null
    return a && hit ? { key: a.key, ...hit } : null
  }

  get activeVertex(): VertexRef | null {
    return this.vertex
  }

  setActiveVertex(vertex: VertexRef | null): void {
    if (vertex?.key === this.vertex?.key && vertex?.index === this.vertex?.index) return
    this.vertex = vertex
    this.renderer.invalidateInteractive()
  }

  execute(command: Command): void {
    this.history.execute(command)
  }

  setOverlay(overlay: Partial<Overlay>): void {
    if (overlay.hidden && overlay.hidden !== this.overlay.hidden) {
      if (overlay.hidden.size > 0 || this.overlay.hidden.size > 0) this.renderer.invalidateStatic()
    }
    this.overlay = { ...this.overlay, ...overlay }
    this.renderer.invalidateInteractive()
  }

  setCursor(cursor: string): void {
    if (this.interactiveCanvas && this.interactiveCanvas.style.cursor !== cursor) this.interactiveCanvas.style.cursor = cursor
  }

  newKey(): string {
    return newClientId()
  }

  // ---- loading --------------------------------------------------------------------------

  /** Open an image's annotations (a saved state): clears history and selection, fits the view. */
  load(image: ImageSize, items: readonly Annotation[], revision: number): void {
    this.tool.onCancel()
    this.selection = []
    this.hitIndex.reset(image)
    this.visibility.clear()
    this.viewport.setImage(image)
    this.review.reset(items)
    this.doc.load(image, items, revision)
    this.history.clear()
    this.events.emit('selectionchange', { keys: [] })
    this.fitPending = true
    if (this.host) this.fitToScreen()
  }

  setImage(levels: ImageLevels | null): void {
    this.levels = levels
    this.renderer.invalidateStatic()
  }

  get hasImage(): boolean {
    return this.levels !== null
  }

  setClasses(classes: readonly ClassInfo[]): void {
    this.classMap = new Map(classes.map((c) => [c.id, c]))
    if (this.classId !== null && !this.classMap.has(this.classId)) this.setCurrentClass(classes[0]?.id ?? null)
    else if (this.classId === null && classes[0]) this.setCurrentClass(classes[0].id)
    this.renderer.invalidateAll()
  }

  get classes(): ReadonlyMap<number, ClassInfo> {
    return this.classMap
  }

  // ---- tools, classes, edits ------------------------------------------------------------

  get toolId(): ToolId {
    return this.tool.id
  }

  /** The active tool and state, e.g. `select.translating` (space held reports the pan tool). */
  get toolPath(): string {
    return this.activeTool().path
  }

  setTool(id: ToolId): void {
    if (this.tool.id === id) return
    this.tool.onExit()
    this.tool = this.tools[id]
    this.tool.onEnter()
    this.setOverlay({ hover: null })
    this.emitTool()
  }

  /** Space held: the pan tool takes over until it is released (and any drag ends). */
  setSpacePan(down: boolean): void {
    if (this.spacePan === down) return
    if (!down && this.tools.pan.isPanning) return
    if (down) this.tool.onPanStart()
    this.spacePan = down
    this.activeTool().onEnter()
    this.emitTool()
  }

  get isSpacePanning(): boolean {
    return this.spacePan
  }

  setCurrentClass(classId: number | null): void {
    if (this.classId === classId) return
    this.classId = classId
    this.events.emit('classchange', { currentClassId: classId })
  }

  /** Set the class of `keys` (default: the selection) as one undoable step. */
  changeClass(classId: number, keys: readonly string[] = this.selection): boolean {
    const items = this.visibility.unlocked(keys)
      .map((k) => this.doc.get(k))
      .filter((a): a is Annotation => a !== undefined)
    const label = items.length === 1 ? 'Change class' : `Change class of ${shapesWord(items.map((a) => a.kind))}`
    const command = UpdateCommand.fromAnnotations(label, items, () => ({ classId }))
    if (command.changes.length === 0) return false
    this.execute(command)
    return true
  }

  /** What each of `keys` is (a box unless it is a polygon), for undo labels. */
  kindsOf(keys: readonly string[]): AnnotationKind[] {
    return keys.map((k) => this.doc.get(k)?.kind ?? 'bbox')
  }

  /** Delete `keys` (default: the selection) as one undoable step. */
  deleteAnnotations(keys: readonly string[] = this.selection): boolean {
    const existing = this.visibility.unlocked(keys).filter((k) => this.doc.has(k))
    if (existing.length === 0) return false
    this.execute(new DeleteCommand(existing, this.kindsOf(existing)))
    return true
  }

  /**
   * Delete or Backspace: while a polygon is being drawn, its last vertex; else the selected
   * polygon's active vertex (a polygon keeps at least 3); else the selected annotations.
   */
  deleteSelected(): boolean {
    if (this.tool.id === 'polygon' && this.tools.polygon.removeLastVertex()) return true
    const a = this.vertex ? this.doc.get(this.vertex.key) : undefined
    if (!this.vertex || !a) return this.deleteAnnotations()
    const command = deleteVertexCommand(a, this.vertex.index)
    if (!command) return false
    this.execute(command)
    this.setActiveVertex(null)
    return true
  }

  /** Enter: close the polygon being drawn , or keep the SAM tool's shape. */
  finish(): boolean {
    if (this.tool.id === 'segment') return this.tools.segment.finish()
    return this.tool.id === 'polygon' && this.tools.polygon.finish()
  }

  /** The SAM tool: its prompt, answers (`setResult`) and what Enter creates (`output`). */
  get segment(): SegmentTool {
    return this.tools.segment
  }

  /** Add annotations as one undoable step (used by paste and, later, AI suggestions). */
  addAnnotations(items: readonly Annotation[]): void {
    if (items.length > 0) this.execute(new CreateCommand(items))
  }

  /** Hide/show or lock/unlock `keys` as one undoable step; false when nothing would change. */
  setFlag(flag: VisibilityFlag, keys: readonly string[], on: boolean): boolean {
    const changing = keys.filter((k) => this.doc.has(k) && this.visibility.has(flag, k) !== on)
    if (changing.length === 0) return false
    this.tool.onCancel()
    this.execute(new VisibilityCommand(this.visibility, flag, changing, on, this.kindsOf(changing)))
    return true
  }

  /** Undo; while a polygon is being drawn, its last vertex goes first. */
  undo(): boolean {
    if (this.tool.id === 'polygon' && this.tools.polygon.removeLastVertex()) return true
    if (this.tool.id === 'segment' && this.tools.segment.removeLastPrompt()) return true
    this.tool.onCancel()
    return this.history.undo() !== null
  }

  redo(): boolean {
    this.tool.onCancel()
    return this.history.redo() !== null
  }

  /** Escape: abandon the interaction in progress, or else clear the selection. */
  escape(): void {
    if (!this.activeTool().path.endsWith('.idle')) this.activeTool().onCancel()
    else if (this.vertex) this.setActiveVertex(null)
    else this.select([])
  }

  selectAll(): void {
    this.select(this.doc.all().map((a) => a.key))
  }

  /** Show only the predictions at or above this confidence (a view setting: nothing is saved). */
  setReviewThreshold(threshold: number): void {
    this.review.setThreshold(this.doc.all(), threshold)
  }

  // ---- saving ---------------------------------------------------------------------------

  get isDirty(): boolean {
    return this.doc.isDirty
  }

  changeSet(): ChangeSet {
    return this.doc.changeSet()
  }

  beginSave(): SaveSnapshot {
    return this.doc.beginSave()
  }

  markSaved(snapshot: SaveSnapshot, revision: number, idMap: Readonly<Record<string, number>>): void {
    this.doc.markSaved(snapshot, revision, idMap)
    this.emitDocument({ added: [], removed: [], updated: [] })
  }

  /** Keep my edits on top of the server's current state; history restarts from there. */
  rebase(serverItems: readonly Annotation[], revision: number, mine: ChangeSet): void {
    this.tool.onCancel()
    this.doc.rebase(serverItems, revision, mine)
    this.history.clear()
    this.select(this.selection)
  }

  /** Re-apply locally kept edits after a reload (not undoable: there is nothing to undo to). */
  applyChangeSet(changes: ChangeSet): void {
    this.doc.rebase(this.doc.all(), this.doc.revision, changes)
  }

  // ---- view -----------------------------------------------------------------------------

  zoomIn(): void {
    this.viewport.zoomAt(this.viewportCenter(), 1.25)
  }

  zoomOut(): void {
    this.viewport.zoomAt(this.viewportCenter(), 1 / 1.25)
  }

  zoomToActualSize(): void {
    this.viewport.zoomToScale(1)
  }

  fitToScreen(): void {
    this.fitPending = false
    this.viewport.fit()
  }

  /** Scroll the view to a box if it is not fully on screen. */
  reveal(key: string): void {
    const a = this.doc.get(key)
    if (a && !this.viewport.isVisible(a)) this.viewport.centerOn(a)
  }

  // ---- DOM ------------------------------------------------------------------------------

  /** Create the two canvases inside `host` and start listening to it. */
  mount(host: HTMLElement): void {
    this.unmount()
    this.host = host
    const { staticCanvas, interactive } = createLayers(host)
    this.interactiveCanvas = interactive
    this.renderer.attach(staticCanvas, interactive)
    this.detachInput = this.listen(interactive)
    const measure = () => {
      const rect = host.getBoundingClientRect()
      const dpr = window.devicePixelRatio || 1
      this.viewport.resize(rect.width, rect.height)
      this.renderer.resize(rect.width, rect.height, dpr)
      if (this.fitPending && rect.width > 0 && rect.height > 0) this.fitToScreen()
    }
    measure()
    this.resizeObserver = new ResizeObserver(measure)
    this.resizeObserver.observe(host)
    this.activeTool().onEnter()
  }

  unmount(): void {
    this.resizeObserver?.disconnect()
    this.resizeObserver = null
    this.detachInput?.()
    this.detachInput = null
    this.renderer.detach()
    if (this.host) for (const canvas of [...this.host.querySelectorAll('canvas[data-layer]')]) canvas.remove()
    this.host = null
    this.interactiveCanvas = null
  }

  /** Feed a pointer event in screen coordinates (used by the DOM listeners and by tests). */
  pointer(type: 'down' | 'move' | 'up', screen: Point, modifiers: Partial<Omit<PointerInfo, 'screen' | 'image'>> = {}): void {
    const info: PointerInfo = {
      screen,
      image: this.viewport.toImage(screen),
      button: modifiers.button ?? 0,
      shiftKey: modifiers.shiftKey ?? false,
      altKey: modifiers.altKey ?? false,
      ctrlKey: modifiers.ctrlKey ?? false,
    }
    if (this.middlePan) {
      if (type === 'move') {
        this.viewport.panBy(screen.x - this.middlePan.x, screen.y - this.middlePan.y)
        this.middlePan = screen
      } else if (type === 'up') {
        this.middlePan = null
        this.activeTool().onEnter()
      }
      return
    }
    if (type === 'down' && info.button === 1) {
      this.middlePan = screen
      this.setCursor('grabbing')
      return
    }
    const tool = this.activeTool()
    if (type === 'down') tool.onPointerDown(info)
    else if (type === 'move') tool.onPointerMove(info)
    else {
      tool.onPointerUp(info)
      if (tool.id === 'pan' && !this.spacePan && this.tool.id !== 'pan') this.activeTool().onEnter()
    }
  }

  /** Wheel: pans (Figma style); with Ctrl/⌘ or a trackpad pinch it zooms at the cursor. */
  wheel(screen: Point, deltaX: number, deltaY: number, zoom: boolean, shift = false): void {
    this.viewport.wheel(screen, deltaX, deltaY, zoom, shift)
  }

  // ---- internals ------------------------------------------------------------------------

  private listen(canvas: HTMLCanvasElement): () => void {
    return listenToCanvas(canvas, {
      pointer: (type, screen, modifiers) => this.pointer(type, screen, modifiers),
      wheel: (screen, dx, dy, zoom, shift) => this.wheel(screen, dx, dy, zoom, shift),
      leave: () => {
        if (this.overlay.hover || this.overlay.crosshair) this.setOverlay({ hover: null, crosshair: null })
      },
      pageHeight: () => this.viewport.height,
    })
  }

  /** The single selected annotation while the select tool may edit it (no pan borrowed). */
  private editable(): Annotation | undefined {
    if (this.selection.length !== 1 || this.tool.id !== 'select' || this.spacePan) return undefined
    return this.doc.get(this.selection[0] ?? '')
  }

  private activeTool(): Tool {
    return this.spacePan ? this.tools.pan : this.tool
  }

  private emitTool(): void {
    this.events.emit('toolchange', { tool: this.tool.id, spacePan: this.spacePan, state: this.activeTool().path })
  }

  private viewportCenter(): Point {
    return { x: this.viewport.width / 2, y: this.viewport.height / 2 }
  }

  private onVisibilityChange(change: VisibilityChange): void {
    this.select(this.selection)
    if (this.overlay.hover && !this.visibility.isEditable(this.overlay.hover.key)) this.overlay = { ...this.overlay, hover: null }
    this.renderer.invalidateAll()
    this.events.emit('visibilitychange', change)
  }

  private onDocumentChange(change: DocumentChange): void {
    this.review.refresh([...change.removed, ...change.added, ...change.updated], (k) => this.doc.get(k))
    for (const key of change.removed) this.hitIndex.remove(key)
    for (const key of [...change.added, ...change.updated]) {
      const a = this.doc.get(key)
      if (a) this.hitIndex.update(key, a)
    }
    if (change.removed.length > 0 && this.selection.some((k) => !this.doc.has(k))) {
      this.selection = this.selection.filter((k) => this.doc.has(k))
      this.events.emit('selectionchange', { keys: this.selection })
    }
    if (this.overlay.hover && !this.doc.has(this.overlay.hover.key)) this.overlay = { ...this.overlay, hover: null }
    const vertexOf = this.vertex ? this.doc.get(this.vertex.key) : undefined
    if (this.vertex && (vertexOf?.points?.length ?? 0) <= this.vertex.index) this.vertex = null
    this.renderer.invalidateAll()
    this.emitDocument(change)
  }

  private emitDocument(change: DocumentChange): void {
    this.events.emit('documentchange', { ...change, count: this.doc.size, dirty: this.doc.isDirty })
  }

  private staticScene(): StaticScene {
    return {
      image: this.doc.image,
      imageLevels: this.levels,
      annotations: this.doc.all(),
      hidden: unionOf(this.overlay.hidden, unionOf(this.visibility.hidden, this.review.hidden)),
      classes: this.classMap,
      viewport: this.viewport,
    }
  }

  private interactiveScene(): InteractiveScene {
    const moving = new Map(this.overlay.moving.map((a) => [a.key, a]))
    const selected = this.selection
      .map((k) => moving.get(k) ?? this.doc.get(k))
      .filter((a): a is Annotation => a !== undefined)
    const single = selected.length === 1 && this.tool.id === 'select' && !this.spacePan ? selected[0] : undefined
    return {
      classes: this.classMap,
      viewport: this.viewport,
      selected,
      moving: this.overlay.moving,
      handlesFor: single && !single.points ? single : null,
      vertexHandles: single?.points ? { points: single.points, active: this.vertex?.index ?? null } : null,
      draft: this.tool.id === 'polygon' ? this.overlay.draft : null,
      hover: this.overlay.hover && !this.selection.includes(this.overlay.hover.key) ? this.overlay.hover : null,
      preview: this.overlay.preview,
      marquee: this.overlay.marquee,
      crosshair: (this.tool.id === 'draw' || this.tool.id === 'polygon') && !this.spacePan ? this.overlay.crosshair : null,
      segment: this.tool.id === 'segment' ? this.overlay.segment : null,
    }
  }
}
