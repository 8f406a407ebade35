import { describe, expect, it } from 'vitest'
import { drawInteractive, drawStatic, type StaticScene } from './renderer'
import { box, CLASSES, polygon } from './test-helpers'
import type { Annotation } from './types'
import { Viewport } from './viewport'

/** A stand-in 2D context that counts the calls the renderer makes. */
function recorder() {
  const calls: Record<string, number> = {}
  const dashes: number[][] = []
  const texts: string[] = []
  /** fillStyle and globalAlpha of every path fill(). */
  const fills: { style: string; alpha: number }[] = []
  const count = (name: string) => () => {
    calls[name] = (calls[name] ?? 0) + 1
  }
  const ctx = {
    setTransform: count('setTransform'),
    clearRect: count('clearRect'),
    fillRect: count('fillRect'),
    strokeRect: count('strokeRect'),
    beginPath: count('beginPath'),
    rect: count('rect'),
    fill: () => {
      calls.fill = (calls.fill ?? 0) + 1
      fills.push({ style: ctx.fillStyle, alpha: ctx.globalAlpha })
    },
    closePath: count('closePath'),
    arc: count('arc'),
    stroke: count('stroke'),
    moveTo: count('moveTo'),
    lineTo: count('lineTo'),
    save: count('save'),
    restore: count('restore'),
    clip: count('clip'),
    drawImage: count('drawImage'),
    setLineDash: (d: number[]) => dashes.push(d),
    fillText: (t: string) => texts.push(t),
    measureText: (t: string) => ({ width: t.length * 6 }),
    lineWidth: 1,
    globalAlpha: 1,
    fillStyle: '',
    strokeStyle: '',
    font: '',
    textBaseline: 'alphabetic',
    imageSmoothingEnabled: true,
  }
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls, dashes, texts, fills }
}

function scene(annotations: Annotation[], scale = 1): StaticScene {
  const viewport = new Viewport()
  viewport.setImage({ width: 4000, height: 3000 })
  viewport.resize(1000, 800)
  viewport.zoomToScale(scale)
  viewport.panBy(-viewport.x, -viewport.y)
  return {
    image: { width: 4000, height: 3000 },
    imageLevels: null,
    annotations,
    hidden: new Set(),
    classes: new Map(CLASSES.map((c) => [c.id, c])),
    viewport,
  }
}

describe('drawStatic', () => {
  it('draws only the boxes on screen, one path per class', () => {
    const items = [
      box('a', 10, 10, 100, 20, { classId: 1 }),
      box('b', 200, 10, 300, 20, { classId: 1 }),
      box('c', 400, 10, 500, 20, { classId: 2 }),
      box('off', 3000, 2000, 3100, 2100, { classId: 3 }),
    ]
    const { ctx, calls } = recorder()
    const info = drawStatic(ctx, scene(items), 1)
    expect(info.drawn).toBe(3)
    expect(info.total).toBe(4)
    expect(calls.rect).toBe(3)
    expect(calls.stroke).toBe(2)
  })

  it('leaves out hidden boxes (the ones a tool is moving)', () => {
    const s = scene([box('a', 10, 10, 100, 100), box('b', 200, 10, 300, 100)])
    const { ctx } = recorder()
    expect(drawStatic(ctx, { ...s, hidden: new Set(['a']) }, 1).drawn).toBe(1)
  })

  it('labels big boxes and skips labels on boxes tiny on screen', () => {
    const { ctx, texts } = recorder()
    drawStatic(ctx, scene([box('big', 10, 10, 200, 100), box('tiny', 300, 10, 310, 16)]), 1)
    expect(texts).toEqual(['bottle'])
  })

  it('draws AI suggestions dashed with their confidence', () => {
    const { ctx, dashes, texts } = recorder()
    drawStatic(ctx, scene([box('ai', 10, 10, 200, 100, { source: 'ai', confidence: 0.87, reviewState: 'pending' })]), 1)
    expect(dashes.some((d) => d.length > 0)).toBe(true)
    expect(texts).toEqual(['87% bottle'])
  })

  it('5,000 boxes batch into as many strokes as there are classes', () => {
    const items: Annotation[] = []
    for (let i = 0; i < 5000; i++) {
      const x = (i % 82) * 48
      const y = Math.floor(i / 82) * 48
      items.push(box(`k${i}`, x, y, x + 29, y + 29, { classId: (i % 3) + 1 }))
    }
    const { ctx, calls } = recorder()
    const info = drawStatic(ctx, scene(items, 0.25), 1)
    expect(info.drawn).toBe(5000)
    expect(calls.stroke).toBe(3)
    expect(info.labels).toBe(0)
  })
})

describe('drawInteractive', () => {
  it('draws handles for the single selected box and the drawing preview', () => {
    const s = scene([])
    const { ctx, calls } = recorder()
    drawInteractive(
      ctx,
      {
        classes: s.classes,
        viewport: s.viewport,
        selected: [box('a', 10, 10, 100, 100)],
        moving: [],
        handlesFor: box('a', 10, 10, 100, 100),
        vertexHandles: null,
        draft: null,
        hover: null,
        preview: { box: { x1: 0, y1: 0, x2: 50, y2: 50 }, classId: 2 },
        marquee: null,
        crosshair: null,
      },
      1,
    )
    // 8 handles filled, selection fill, preview fill and its size label.
    expect(calls.fillRect).toBe(8 + 1 + 1 + 1)
  })
})

describe('polygons', () => {
  const square = polygon('sq', [
    [10, 10],
    [200, 10],
    [200, 200],
    [10, 200],
  ])
  const triangle = polygon('tri', [
    [300, 10],
    [500, 10],
    [400, 200],
  ], { classId: 2 })

  it('draws polygons as closed paths filled with their class colour, beside boxes of the same class', () => {
    const { ctx, calls, fills } = recorder()
    const info = drawStatic(ctx, scene([square, triangle, box('b', 600, 10, 700, 100)]), 1)
    expect(info.drawn).toBe(3)
    // One rect for the box; the others clip the labels.
    expect(calls.rect).toBe(1 + info.labels)
    expect(calls.closePath).toBe(2)
    expect(calls.lineTo).toBe(3 + 2)
    // Box fill is faint; polygon fills are the mask and stronger.
    const red = fills.filter((f) => f.style === '#ef4444')
    expect(red).toHaveLength(2)
    expect(Math.max(...red.map((f) => f.alpha))).toBeGreaterThan(Math.min(...red.map((f) => f.alpha)))
    expect(fills.some((f) => f.style === '#3b82f6')).toBe(true)
  })

  it('draws vertex and midpoint handles for the selected polygon, and the polygon being drawn', () => {
    const s = scene([])
    const { ctx, calls } = recorder()
    drawInteractive(
      ctx,
      {
        classes: s.classes,
        viewport: s.viewport,
        selected: [square],
        moving: [],
        handlesFor: null,
        vertexHandles: { points: square.points ?? [], active: 1 },
        draft: { points: [{ x: 300, y: 300 }, { x: 400, y: 300 }], cursor: { x: 350, y: 400 }, classId: 2, closing: false },
        hover: null,
        preview: null,
        marquee: null,
        crosshair: null,
      },
      1,
    )
    // 4 vertices + 4 midpoints of the square, 2 placed vertices of the draft; no box handles.
    expect(calls.arc).toBe(4 + 4 + 2)
    expect(calls.fillRect ?? 0).toBe(0)
  })
})
