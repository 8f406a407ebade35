/** DOM pointer and wheel events on the editor's canvas, turned into engine calls in canvas pixels. */
import type { PointerInfo } from './tools/tool'
import type { Point } from './types'

export interface CanvasInputTarget {
  pointer(type: 'down' | 'move' | 'up', screen: Point, modifiers: Partial<Omit<PointerInfo, 'screen' | 'image'>>): void
  wheel(screen: Point, deltaX: number, deltaY: number, zoom: boolean, shift: boolean): void
  /** The pointer left the canvas. */
  leave(): void
  /** The canvas height in pixels, for wheel deltas given in pages. */
  pageHeight(): number
}

/** Listens on `canvas` until the returned function is called. */
export function listenToCanvas(canvas: HTMLCanvasElement, target: CanvasInputTarget): () => void {
  const local = (e: MouseEvent): Point => {
    const rect = canvas.getBoundingClientRect()
    return { x: e.clientX - rect.left, y: e.clientY - rect.top }
  }
  const mods = (e: PointerEvent) => ({ button: e.button, shiftKey: e.shiftKey, altKey: e.altKey, ctrlKey: e.ctrlKey || e.metaKey })
  const down = (e: PointerEvent) => {
    if (e.button !== 0 && e.button !== 1) return
    e.preventDefault()
    canvas.focus({ preventScroll: true })
    canvas.setPointerCapture(e.pointerId)
    target.pointer('down', local(e), mods(e))
  }
  const move = (e: PointerEvent) => target.pointer('move', local(e), mods(e))
  const up = (e: PointerEvent) => {
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId)
    target.pointer('up', local(e), mods(e))
  }
  const leave = () => target.leave()
  const wheel = (e: WheelEvent) => {
    e.preventDefault()
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? target.pageHeight() : 1
    target.wheel(local(e), e.deltaX * unit, e.deltaY * unit, e.ctrlKey || e.metaKey, e.shiftKey)
  }
  // Right click is left to the page's context menu; middle click pans.
  const menu = (e: Event) => e.preventDefault()
  const listeners: [string, EventListener, AddEventListenerOptions?][] = [
    ['pointerdown', down as EventListener],
    ['pointermove', move as EventListener],
    ['pointerup', up as EventListener],
    ['pointercancel', up as EventListener],
    ['pointerleave', leave],
    ['wheel', wheel as EventListener, { passive: false }],
    ['auxclick', menu],
  ]
  for (const [type, fn, options] of listeners) canvas.addEventListener(type, fn, options)
  return () => {
    for (const [type, fn] of listeners) canvas.removeEventListener(type, fn)
  }
}

/** The two stacked canvases the renderer draws on, appended to `host`; only the top one takes input. */
export function createLayers(host: HTMLElement): { staticCanvas: HTMLCanvasElement; interactive: HTMLCanvasElement } {
  const make = (name: string) => {
    const canvas = document.createElement('canvas')
    canvas.dataset.layer = name
    canvas.style.position = 'absolute'
    canvas.style.inset = '0'
    canvas.style.touchAction = 'none'
    host.appendChild(canvas)
    return canvas
  }
  const staticCanvas = make('static')
  const interactive = make('interactive')
  interactive.tabIndex = -1
  return { staticCanvas, interactive }
}
