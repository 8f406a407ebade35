/**
 * The image-to-screen transform: screen = image * scale + offset, in CSS pixels of the canvas.
 * Zooming keeps the image point under the cursor fixed.
 */
import { Emitter } from './emitter'
import type { Box, ImageSize, Point } from './types'

export interface ViewportState {
  scale: number
  x: number
  y: number
  width: number
  height: number
  /** The scale that fits the whole image, for "100%" style read-outs relative to fit. */
  fitScale: number
}

export const MAX_SCALE = 32
const FIT_PADDING = 16

export class Viewport {
  readonly events = new Emitter<{ change: ViewportState }>()
  scale = 1
  x = 0
  y = 0
  width = 1
  height = 1
  private image: ImageSize = { width: 1, height: 1 }

  get state(): ViewportState {
    return { scale: this.scale, x: this.x, y: this.y, width: this.width, height: this.height, fitScale: this.fitScale }
  }

  get fitScale(): number {
    const w = Math.max(1, this.width - FIT_PADDING * 2)
    const h = Math.max(1, this.height - FIT_PADDING * 2)
    return Math.min(w / this.image.width, h / this.image.height)
  }

  get minScale(): number {
    return Math.min(this.fitScale / 4, 1)
  }

  setImage(image: ImageSize): void {
    this.image = image
  }

  /** The canvas size changed; keep the image centre where it was. */
  resize(width: number, height: number): void {
    const cx = (this.width / 2 - this.x) / this.scale
    const cy = (this.height / 2 - this.y) / this.scale
    this.width = Math.max(1, width)
    this.height = Math.max(1, height)
    this.x = this.width / 2 - cx * this.scale
    this.y = this.height / 2 - cy * this.scale
    this.emit()
  }

  toScreen(p: Point): Point {
    return { x: p.x * this.scale + this.x, y: p.y * this.scale + this.y }
  }

  toImage(p: Point): Point {
    return { x: (p.x - this.x) / this.scale, y: (p.y - this.y) / this.scale }
  }

  toScreenBox(b: Box): Box {
    return { x1: b.x1 * this.scale + this.x, y1: b.y1 * this.scale + this.y, x2: b.x2 * this.scale + this.x, y2: b.y2 * this.scale + this.y }
  }

  /** The part of the image on screen, in image pixels. */
  visibleBox(): Box {
    const a = this.toImage({ x: 0, y: 0 })
    const b = this.toImage({ x: this.width, y: this.height })
    return { x1: a.x, y1: a.y, x2: b.x, y2: b.y }
  }

  /** Zoom by `factor` keeping the image point under `screen` in place. */
  /** A wheel step: pans (Figma style); with Ctrl/⌘ or a trackpad pinch it zooms at the cursor. */
  wheel(screen: Point, deltaX: number, deltaY: number, zoom: boolean, shift: boolean): void {
    if (zoom) {
      const d = Math.max(-100, Math.min(100, deltaY))
      this.zoomAt(screen, Math.exp(-d * 0.003))
    } else if (shift && deltaX === 0) {
      this.panBy(-deltaY, 0)
    } else {
      this.panBy(-deltaX, -deltaY)
    }
  }

  zoomAt(screen: Point, factor: number): void {
    const next = Math.min(MAX_SCALE, Math.max(this.minScale, this.scale * factor))
    if (next === this.scale) return
    const p = this.toImage(screen)
    this.scale = next
    this.x = screen.x - p.x * next
    this.y = screen.y - p.y * next
    this.emit()
  }

  zoomToScale(scale: number, screen: Point = { x: this.width / 2, y: this.height / 2 }): void {
    this.zoomAt(screen, scale / this.scale)
  }

  panBy(dx: number, dy: number): void {
    if (dx === 0 && dy === 0) return
    this.x += dx
    this.y += dy
    this.emit()
  }

  /** The whole image, centred, with a small margin. */
  fit(): void {
    this.scale = this.fitScale
    this.x = (this.width - this.image.width * this.scale) / 2
    this.y = (this.height - this.image.height * this.scale) / 2
    this.emit()
  }

  /** Bring `box` into view: centre it, zooming out only if it would not fit. */
  centerOn(box: Box): void {
    const bw = Math.max(1, box.x2 - box.x1)
    const bh = Math.max(1, box.y2 - box.y1)
    const fits = Math.min((this.width * 0.8) / bw, (this.height * 0.8) / bh)
    if (fits < this.scale) this.scale = Math.max(this.minScale, fits)
    const cx = (box.x1 + box.x2) / 2
    const cy = (box.y1 + box.y2) / 2
    this.x = this.width / 2 - cx * this.scale
    this.y = this.height / 2 - cy * this.scale
    this.emit()
  }

  /** Whether `box` lies fully on screen. */
  isVisible(box: Box): boolean {
    const s = this.toScreenBox(box)
    return s.x1 >= 0 && s.y1 >= 0 && s.x2 <= this.width && s.y2 <= this.height
  }

  private emit(): void {
    this.events.emit('change', this.state)
  }
}
