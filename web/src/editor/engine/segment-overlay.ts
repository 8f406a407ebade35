/** The SAM tool on the interactive layer: the mask (in `color`), its box, the prompt box and the prompt points. */
import type { Point } from './types'
import type { SegmentOverlay } from './tools/segment'
import type { Viewport } from './viewport'

const POSITIVE = '#22c55e'
const NEGATIVE = '#ef4444'
const MASK_ALPHA = 0.45

function drawPoint(ctx: CanvasRenderingContext2D, p: Point, positive: boolean): void {
  ctx.beginPath()
  ctx.arc(p.x, p.y, 6, 0, Math.PI * 2)
  ctx.fillStyle = positive ? POSITIVE : NEGATIVE
  ctx.fill()
  ctx.lineWidth = 2
  ctx.strokeStyle = '#ffffff'
  ctx.stroke()
  // A plus for "include", a minus for "exclude", readable for colour-blind people too.
  ctx.beginPath()
  ctx.moveTo(p.x - 3, p.y)
  ctx.lineTo(p.x + 3, p.y)
  if (positive) {
    ctx.moveTo(p.x, p.y - 3)
    ctx.lineTo(p.x, p.y + 3)
  }
  ctx.lineWidth = 1.5
  ctx.stroke()
}

export function drawSegment(
  ctx: CanvasRenderingContext2D,
  overlay: SegmentOverlay,
  color: string,
  viewport: Viewport,
  dpr: number,
): void {
  const result = overlay.result
  if (result?.mask) {
    ctx.save()
    // The mask canvas is transposed: (x', y') in it is image pixel (y', x').
    ctx.setTransform(0, viewport.scale * dpr, viewport.scale * dpr, 0, viewport.x * dpr, viewport.y * dpr)
    ctx.globalAlpha = MASK_ALPHA
    ctx.imageSmoothingEnabled = false
    ctx.drawImage(result.mask.source, 0, 0)
    ctx.restore()
  }
  if (result) {
    const s = viewport.toScreenBox(result.box)
    ctx.lineWidth = 2
    ctx.strokeStyle = color
    ctx.setLineDash([6, 4])
    ctx.strokeRect(s.x1, s.y1, s.x2 - s.x1, s.y2 - s.y1)
    ctx.setLineDash([])
  }
  for (const box of [overlay.box, overlay.dragging]) {
    if (!box) continue
    const s = viewport.toScreenBox(box)
    ctx.lineWidth = 1.5
    ctx.strokeStyle = '#ffffff'
    ctx.setLineDash([4, 3])
    ctx.strokeRect(s.x1 + 0.5, s.y1 + 0.5, s.x2 - s.x1, s.y2 - s.y1)
    ctx.setLineDash([])
  }
  for (const p of overlay.points) drawPoint(ctx, viewport.toScreen(p), p.positive)
}
