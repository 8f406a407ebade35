/**
 * Two stacked canvases. The static layer holds the image and every visible box and is redrawn
 * only when the document, the classes or the viewport change; the interactive layer holds
 * selection, handles, hover and previews and is redrawn per frame while something moves.
 * Both redraws are coalesced into one animation frame.
 */
import { handlePoint } from './geometry'
import { HANDLE_SIZE, MIDPOINT_RADIUS, VERTEX_RADIUS, visibleMidpoints } from './handles'
import { edgeMidpoints } from './polygon'
import { drawSegment } from './segment-overlay'
import type { SegmentOverlay } from './tools/segment'
import { HANDLES, type Annotation, type Box, type ClassInfo, type ImageSize, type Point, type PolygonDraft } from './types'
import type { Viewport } from './viewport'

/** The image at a few resolutions, largest first, so zoomed-out frames scale a small bitmap. */
export interface ImageLevels {
  width: number
  height: number
  levels: readonly { source: CanvasImageSource; width: number; height: number }[]
}

export interface StaticScene {
  image: ImageSize
  imageLevels: ImageLevels | null
  annotations: readonly Annotation[]
  hidden: ReadonlySet<string>
  classes: ReadonlyMap<number, ClassInfo>
  viewport: Viewport
}

export interface InteractiveScene {
  classes: ReadonlyMap<number, ClassInfo>
  viewport: Viewport
  selected: readonly Annotation[]
  /** Boxes being moved or resized, at their preview position. */
  moving: readonly Annotation[]
  /** The selected box whose resize handles are drawn. */
  handlesFor: Box | null
  /** The selected polygon's vertices (and which one is active), drawn as handles. */
  vertexHandles: { points: readonly Point[]; active: number | null } | null
  /** The polygon being drawn. */
  draft: PolygonDraft | null
  hover: Annotation | null
  preview: { box: Box; classId: number } | null
  marquee: Box | null
  crosshair: Point | null
  /** The SAM tool's prompt and mask. */
  segment?: SegmentOverlay | null
}

export interface StaticRenderInfo {
  drawn: number
  total: number
  labels: number
  ms: number
}

export interface FrameScheduler {
  request(callback: () => void): number
  cancel(handle: number): void
}

const FALLBACK_COLOR = '#94a3b8'
/** Polygons are segmentation masks: their fill is what shows the shape, so it is stronger than a box's. */
const POLYGON_FILL_ALPHA = 0.28
const BOX_FILL_ALPHA = 0.1
/** Labels are drawn only on boxes at least this big on screen, and only when few enough are visible. */
const LABEL_MIN_WIDTH = 36
const LABEL_MIN_HEIGHT = 14
const LABEL_MAX_COUNT = 1500
const LABEL_FONT = '600 11px ui-sans-serif, system-ui, sans-serif'

export function classColor(classes: ReadonlyMap<number, ClassInfo>, classId: number): string {
  return classes.get(classId)?.color ?? FALLBACK_COLOR
}

/**
 * A prediction's label starts with its confidence (the badge), so a narrow box that cuts the label
 * still shows it; once accepted it is an ordinary box with its class name.
 */
export function labelText(a: Annotation, classes: ReadonlyMap<number, ClassInfo>): string {
  const name = classes.get(a.classId)?.name ?? `class ${a.classId}`
  return isSuggestion(a) && a.confidence !== null ? `${confidencePercent(a.confidence)}% ${name}` : name
}

/** A confidence in whole percent, rounded down: 0.996 is 99 %, never a 100 % it did not reach. */
export function confidencePercent(confidence: number): number {
  return Math.floor(confidence * 100 + 1e-9)
}

/** AI suggestions not yet accepted are drawn dashed. */
export function isSuggestion(a: Annotation): boolean {
  return a.source === 'ai' && a.reviewState !== 'accepted'
}

interface Batch {
  color: string
  dashed: boolean
  rects: number[]
  polygons: (readonly Point[])[]
}

/** Add a closed polygon (image points) to the current path, in screen coordinates. */
export function tracePolygon(ctx: CanvasRenderingContext2D, points: readonly Point[], viewport: Viewport): void {
  const { scale, x: ox, y: oy } = viewport
  points.forEach((p, i) => {
    if (i === 0) ctx.moveTo(p.x * scale + ox, p.y * scale + oy)
    else ctx.lineTo(p.x * scale + ox, p.y * scale + oy)
  })
  ctx.closePath()
}

/** Add an annotation's outline to the current path: its polygon, or its box (grown by `grow` px). */
function traceShape(ctx: CanvasRenderingContext2D, a: Annotation, viewport: Viewport, grow = 0): void {
  if (a.points) {
    tracePolygon(ctx, a.points, viewport)
    return
  }
  const s = viewport.toScreenBox(a)
  ctx.rect(s.x1 - grow, s.y1 - grow, s.x2 - s.x1 + grow * 2, s.y2 - s.y1 + grow * 2)
}

const widthCache = new Map<string, number>()

function textWidth(ctx: CanvasRenderingContext2D, text: string): number {
  let w = widthCache.get(text)
  if (w === undefined) {
    w = ctx.measureText(text).width
    if (widthCache.size > 5000) widthCache.clear()
    widthCache.set(text, w)
  }
  return w
}

/** The bitmap is stretched onto the document's image rectangle, whatever its own pixel size. */
function drawImage(ctx: CanvasRenderingContext2D, levels: ImageLevels, image: ImageSize, viewport: Viewport): void {
  const { scale } = viewport
  // The smallest level still at least as detailed as the screen.
  let level = levels.levels[0]
  for (const candidate of levels.levels) {
    if (candidate.width >= image.width * scale * 0.9) level = candidate
  }
  if (!level) return
  const visible = viewport.visibleBox()
  const sx1 = Math.max(0, visible.x1)
  const sy1 = Math.max(0, visible.y1)
  const sx2 = Math.min(image.width, visible.x2)
  const sy2 = Math.min(image.height, visible.y2)
  if (sx2 <= sx1 || sy2 <= sy1) return
  const kx = level.width / image.width
  const ky = level.height / image.height
  const dest = viewport.toScreenBox({ x1: sx1, y1: sy1, x2: sx2, y2: sy2 })
  ctx.imageSmoothingEnabled = scale < 2
  ctx.drawImage(
    level.source,
    sx1 * kx,
    sy1 * ky,
    (sx2 - sx1) * kx,
    (sy2 - sy1) * ky,
    dest.x1,
    dest.y1,
    dest.x2 - dest.x1,
    dest.y2 - dest.y1,
  )
}

/** Draw the image and all visible boxes, batched into one path per class colour and style. */
export function drawStatic(ctx: CanvasRenderingContext2D, scene: StaticScene, dpr: number): StaticRenderInfo {
  const started = performance.now()
  const { viewport, classes, hidden } = scene
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.clearRect(0, 0, viewport.width, viewport.height)
  if (scene.imageLevels) drawImage(ctx, scene.imageLevels, scene.image, viewport)
  else {
    const b = viewport.toScreenBox({ x1: 0, y1: 0, x2: scene.image.width, y2: scene.image.height })
    ctx.fillStyle = '#27272a'
    ctx.fillRect(b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1)
  }

  const { scale, x: ox, y: oy, width: vw, height: vh } = viewport
  const batches = new Map<string, Batch>()
  const labelled: Annotation[] = []
  let drawn = 0
  for (const a of scene.annotations) {
    if (hidden.has(a.key)) continue
    const x1 = a.x1 * scale + ox
    const x2 = a.x2 * scale + ox
    if (x2 < -2 || x1 > vw + 2) continue
    const y1 = a.y1 * scale + oy
    const y2 = a.y2 * scale + oy
    if (y2 < -2 || y1 > vh + 2) continue
    const color = classColor(classes, a.classId)
    const dashed = isSuggestion(a)
    const id = dashed ? `${color}|d` : color
    let batch = batches.get(id)
    if (!batch) {
      batch = { color, dashed, rects: [], polygons: [] }
      batches.set(id, batch)
    }
    if (a.points) batch.polygons.push(a.points)
    else batch.rects.push(x1, y1, x2 - x1, y2 - y1)
    drawn += 1
    if (x2 - x1 >= LABEL_MIN_WIDTH && y2 - y1 >= LABEL_MIN_HEIGHT) labelled.push(a)
  }

  const thin = drawn > 2000
  ctx.lineWidth = thin ? 1 : 2
  for (const batch of batches.values()) {
    ctx.strokeStyle = batch.color
    ctx.fillStyle = batch.color
    ctx.setLineDash(batch.dashed ? [6, 4] : [])
    const r = batch.rects
    if (r.length > 0) {
      ctx.beginPath()
      for (let i = 0; i < r.length; i += 4) {
        ctx.rect(r[i] ?? 0, r[i + 1] ?? 0, r[i + 2] ?? 0, r[i + 3] ?? 0)
      }
      // A faint fill helps on sparse images; with thousands of boxes it only costs raster time.
      if (!thin) fillAt(ctx, BOX_FILL_ALPHA)
      ctx.stroke()
    }
    if (batch.polygons.length > 0) {
      ctx.beginPath()
      for (const points of batch.polygons) tracePolygon(ctx, points, viewport)
      if (!thin) fillAt(ctx, POLYGON_FILL_ALPHA)
      ctx.stroke()
    }
  }
  ctx.setLineDash([])

  let labels = 0
  if (labelled.length <= LABEL_MAX_COUNT) {
    ctx.font = LABEL_FONT
    ctx.textBaseline = 'middle'
    for (const a of labelled) {
      drawLabel(ctx, a, classes, viewport)
      labels += 1
    }
  }
  return { drawn, total: scene.annotations.length, labels, ms: performance.now() - started }
}

function fillAt(ctx: CanvasRenderingContext2D, alpha: number): void {
  ctx.globalAlpha = alpha
  ctx.fill('evenodd')
  ctx.globalAlpha = 1
}

function drawLabel(ctx: CanvasRenderingContext2D, a: Annotation, classes: ReadonlyMap<number, ClassInfo>, viewport: Viewport): void {
  const text = labelText(a, classes)
  const s = viewport.toScreenBox(a)
  const w = Math.min(textWidth(ctx, text) + 8, Math.max(s.x2 - s.x1, 24))
  const h = 16
  const y = s.y1 - h >= 0 ? s.y1 - h : s.y1
  ctx.fillStyle = classColor(classes, a.classId)
  ctx.fillRect(s.x1, y, w, h)
  ctx.fillStyle = '#ffffff'
  ctx.save()
  ctx.beginPath()
  ctx.rect(s.x1, y, w, h)
  ctx.clip()
  ctx.fillText(text, s.x1 + 4, y + h / 2 + 0.5)
  ctx.restore()
}

export function drawInteractive(ctx: CanvasRenderingContext2D, scene: InteractiveScene, dpr: number): void {
  const { viewport, classes } = scene
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.clearRect(0, 0, viewport.width, viewport.height)
  if (scene.segment) drawSegment(ctx, scene.segment, scene.segment.classId !== null ? classColor(classes, scene.segment.classId) : '#3b82f6', viewport, dpr)
  drawMovingAndHover(ctx, scene)
  for (const a of scene.selected) drawSelected(ctx, a, classColor(classes, a.classId), viewport)
  if (scene.handlesFor) drawBoxHandles(ctx, viewport.toScreenBox(scene.handlesFor))
  if (scene.vertexHandles) drawVertexHandles(ctx, scene.vertexHandles.points, scene.vertexHandles.active, viewport)
  if (scene.draft) drawDraft(ctx, scene.draft, classes, viewport)
  if (scene.crosshair) drawCrosshair(ctx, scene.crosshair, viewport)
  if (scene.preview) drawPreview(ctx, scene.preview.box, classColor(classes, scene.preview.classId), viewport)
  if (scene.marquee) drawMarquee(ctx, viewport.toScreenBox(scene.marquee))
}

/** Shapes being moved, at their preview position, and the outline of the shape under the pointer. */
function drawMovingAndHover(ctx: CanvasRenderingContext2D, scene: InteractiveScene): void {
  const { viewport, classes } = scene
  for (const a of scene.moving) {
    ctx.strokeStyle = classColor(classes, a.classId)
    ctx.lineWidth = 2
    ctx.setLineDash(isSuggestion(a) ? [6, 4] : [])
    ctx.beginPath()
    traceShape(ctx, a, viewport)
    ctx.stroke()
  }
  ctx.setLineDash([])

  if (scene.hover) {
    ctx.strokeStyle = classColor(classes, scene.hover.classId)
    ctx.lineWidth = 3
    ctx.globalAlpha = 0.7
    ctx.beginPath()
    traceShape(ctx, scene.hover, viewport, 1)
    ctx.stroke()
    ctx.globalAlpha = 1
  }
}

/** A selected shape: stronger fill, a white halo and its class colour on top. */
function drawSelected(ctx: CanvasRenderingContext2D, a: Annotation, color: string, viewport: Viewport): void {
  ctx.fillStyle = color
  if (a.points) {
    ctx.beginPath()
    tracePolygon(ctx, a.points, viewport)
    fillAt(ctx, POLYGON_FILL_ALPHA + 0.1)
    ctx.lineWidth = 4
    ctx.strokeStyle = '#ffffff'
    ctx.stroke()
    ctx.lineWidth = 2
    ctx.strokeStyle = color
    ctx.stroke()
    return
  }
  const s = viewport.toScreenBox(a)
  ctx.globalAlpha = 0.22
  ctx.fillRect(s.x1, s.y1, s.x2 - s.x1, s.y2 - s.y1)
  ctx.globalAlpha = 1
  ctx.lineWidth = 3
  ctx.strokeStyle = '#ffffff'
  ctx.strokeRect(s.x1 - 1.5, s.y1 - 1.5, s.x2 - s.x1 + 3, s.y2 - s.y1 + 3)
  ctx.lineWidth = 2
  ctx.strokeStyle = color
  ctx.strokeRect(s.x1, s.y1, s.x2 - s.x1, s.y2 - s.y1)
}

function drawBoxHandles(ctx: CanvasRenderingContext2D, s: Box): void {
  ctx.lineWidth = 1.5
  for (const h of HANDLES) {
    const p = handlePoint(s, h)
    ctx.fillStyle = '#ffffff'
    ctx.strokeStyle = '#0f172a'
    ctx.fillRect(p.x - HANDLE_SIZE / 2, p.y - HANDLE_SIZE / 2, HANDLE_SIZE, HANDLE_SIZE)
    ctx.strokeRect(p.x - HANDLE_SIZE / 2, p.y - HANDLE_SIZE / 2, HANDLE_SIZE, HANDLE_SIZE)
  }
}

function drawCrosshair(ctx: CanvasRenderingContext2D, at: Point, viewport: Viewport): void {
  ctx.lineWidth = 1
  ctx.strokeStyle = 'rgba(255,255,255,0.55)'
  ctx.setLineDash([4, 4])
  ctx.beginPath()
  ctx.moveTo(0, Math.round(at.y) + 0.5)
  ctx.lineTo(viewport.width, Math.round(at.y) + 0.5)
  ctx.moveTo(Math.round(at.x) + 0.5, 0)
  ctx.lineTo(Math.round(at.x) + 0.5, viewport.height)
  ctx.stroke()
  ctx.setLineDash([])
}

/** The box being drawn, with its size in image pixels under its bottom-right corner. */
function drawPreview(ctx: CanvasRenderingContext2D, box: Box, color: string, viewport: Viewport): void {
  const s = viewport.toScreenBox(box)
  ctx.fillStyle = color
  ctx.globalAlpha = 0.15
  ctx.fillRect(s.x1, s.y1, s.x2 - s.x1, s.y2 - s.y1)
  ctx.globalAlpha = 1
  ctx.strokeStyle = color
  ctx.lineWidth = 2
  ctx.strokeRect(s.x1, s.y1, s.x2 - s.x1, s.y2 - s.y1)
  const text = `${Math.round(box.x2 - box.x1)} × ${Math.round(box.y2 - box.y1)}`
  ctx.font = LABEL_FONT
  ctx.textBaseline = 'middle'
  const w = textWidth(ctx, text) + 8
  ctx.fillStyle = 'rgba(15,23,42,0.85)'
  ctx.fillRect(s.x2 - w, s.y2 + 4, w, 16)
  ctx.fillStyle = '#ffffff'
  ctx.fillText(text, s.x2 - w + 4, s.y2 + 12.5)
}

function drawMarquee(ctx: CanvasRenderingContext2D, s: Box): void {
  ctx.fillStyle = 'rgba(59,130,246,0.1)'
  ctx.fillRect(s.x1, s.y1, s.x2 - s.x1, s.y2 - s.y1)
  ctx.strokeStyle = '#3b82f6'
  ctx.lineWidth = 1
  ctx.setLineDash([4, 3])
  ctx.strokeRect(s.x1 + 0.5, s.y1 + 0.5, s.x2 - s.x1, s.y2 - s.y1)
  ctx.setLineDash([])
}

function circle(ctx: CanvasRenderingContext2D, p: Point, radius: number): void {
  ctx.beginPath()
  ctx.arc(p.x, p.y, radius, 0, Math.PI * 2)
  ctx.fill()
  ctx.stroke()
}

/** Vertices as white dots (the active one filled dark and larger), edge midpoints as small ghosts. */
function drawVertexHandles(ctx: CanvasRenderingContext2D, points: readonly Point[], active: number | null, viewport: Viewport): void {
  const s = points.map((p) => viewport.toScreen(p))
  const shown = visibleMidpoints(s)
  ctx.lineWidth = 1.5
  ctx.strokeStyle = '#0f172a'
  ctx.fillStyle = 'rgba(255,255,255,0.6)'
  edgeMidpoints(s).forEach((m, i) => {
    if (shown[i]) circle(ctx, m, MIDPOINT_RADIUS)
  })
  s.forEach((p, i) => {
    ctx.fillStyle = i === active ? '#0f172a' : '#ffffff'
    ctx.strokeStyle = i === active ? '#ffffff' : '#0f172a'
    circle(ctx, p, i === active ? VERTEX_RADIUS + 1.5 : VERTEX_RADIUS)
  })
}

/** The polygon being drawn: placed edges, the edge to the pointer, and a dashed closing edge. */
function drawDraft(ctx: CanvasRenderingContext2D, draft: PolygonDraft, classes: ReadonlyMap<number, ClassInfo>, viewport: Viewport): void {
  const color = classColor(classes, draft.classId)
  const s = draft.points.map((p) => viewport.toScreen(p))
  const cursor = draft.cursor && !draft.closing ? viewport.toScreen(draft.cursor) : null
  const first = s[0]
  const last = s.at(-1)
  if (!first || !last) return
  const outline = cursor ? [...s, cursor] : s
  ctx.beginPath()
  outline.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)))
  ctx.closePath()
  ctx.fillStyle = color
  fillAt(ctx, 0.18)
  ctx.beginPath()
  outline.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)))
  ctx.strokeStyle = color
  ctx.lineWidth = 2
  ctx.stroke()
  if (outline.length > 2) {
    ctx.beginPath()
    ctx.moveTo((outline.at(-1) ?? last).x, (outline.at(-1) ?? last).y)
    ctx.lineTo(first.x, first.y)
    ctx.setLineDash([4, 4])
    ctx.lineWidth = 1
    ctx.stroke()
    ctx.setLineDash([])
  }
  ctx.lineWidth = 1.5
  s.forEach((p, i) => {
    const isFirst = i === 0
    ctx.fillStyle = isFirst && draft.closing ? color : '#ffffff'
    ctx.strokeStyle = isFirst ? color : '#0f172a'
    circle(ctx, p, isFirst ? VERTEX_RADIUS + (draft.closing ? 2 : 0.5) : VERTEX_RADIUS - 1)
  })
}

const defaultScheduler: FrameScheduler = {
  request: (cb) => requestAnimationFrame(cb),
  cancel: (h) => cancelAnimationFrame(h),
}

/** Owns the two canvases and redraws what was invalidated, once per animation frame. */
export class Renderer {
  private staticCtx: CanvasRenderingContext2D | null = null
  private interactiveCtx: CanvasRenderingContext2D | null = null
  private staticCanvas: HTMLCanvasElement | null = null
  private interactiveCanvas: HTMLCanvasElement | null = null
  private dpr = 1
  private staticDirty = true
  private interactiveDirty = true
  private frame: number | null = null
  onStaticRendered: ((info: StaticRenderInfo) => void) | null = null
  lastStatic: StaticRenderInfo | null = null

  constructor(
    private readonly staticScene: () => StaticScene,
    private readonly interactiveScene: () => InteractiveScene,
    private readonly scheduler: FrameScheduler = defaultScheduler,
  ) {}

  attach(staticCanvas: HTMLCanvasElement, interactiveCanvas: HTMLCanvasElement): void {
    this.staticCanvas = staticCanvas
    this.interactiveCanvas = interactiveCanvas
    this.staticCtx = staticCanvas.getContext('2d', { alpha: true })
    this.interactiveCtx = interactiveCanvas.getContext('2d')
    this.invalidateAll()
  }

  detach(): void {
    if (this.frame !== null) this.scheduler.cancel(this.frame)
    this.frame = null
    this.staticCtx = null
    this.interactiveCtx = null
    this.staticCanvas = null
    this.interactiveCanvas = null
  }

  /** Size the backing stores to CSS size × device pixel ratio. */
  resize(width: number, height: number, dpr: number): void {
    this.dpr = dpr
    for (const canvas of [this.staticCanvas, this.interactiveCanvas]) {
      if (!canvas) continue
      canvas.width = Math.max(1, Math.round(width * dpr))
      canvas.height = Math.max(1, Math.round(height * dpr))
      canvas.style.width = `${width}px`
      canvas.style.height = `${height}px`
    }
    this.invalidateAll()
  }

  invalidateStatic(): void {
    this.staticDirty = true
    this.schedule()
  }

  invalidateInteractive(): void {
    this.interactiveDirty = true
    this.schedule()
  }

  invalidateAll(): void {
    this.staticDirty = true
    this.interactiveDirty = true
    this.schedule()
  }

  /** Draw whatever is pending now (also what the scheduled frame calls). */
  flush(): void {
    this.frame = null
    if (this.staticDirty && this.staticCtx) {
      this.staticDirty = false
      const info = drawStatic(this.staticCtx, this.staticScene(), this.dpr)
      this.lastStatic = info
      this.onStaticRendered?.(info)
    }
    if (this.interactiveDirty && this.interactiveCtx) {
      this.interactiveDirty = false
      drawInteractive(this.interactiveCtx, this.interactiveScene(), this.dpr)
    }
  }

  private schedule(): void {
    if (this.frame !== null || (!this.staticCtx && !this.interactiveCtx)) return
    this.frame = this.scheduler.request(() => this.flush())
  }
}
