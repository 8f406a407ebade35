import { describe, expect, it } from 'vitest'
import { Viewport } from './viewport'

function viewport() {
  const v = new Viewport()
  v.setImage({ width: 4000, height: 3000 })
  v.resize(1600, 1000)
  v.fit()
  return v
}

describe('Viewport', () => {
  it('fits the whole image centred', () => {
    const v = viewport()
    const s = v.toScreenBox({ x1: 0, y1: 0, x2: 4000, y2: 3000 })
    expect(s.x1).toBeGreaterThanOrEqual(0)
    expect(s.y1).toBeGreaterThanOrEqual(0)
    expect(s.x2).toBeLessThanOrEqual(1600)
    expect(s.y2).toBeLessThanOrEqual(1000)
    expect(s.x1 + s.x2).toBeCloseTo(1600)
  })

  it('zooms at the cursor: the image point under it stays put', () => {
    const v = viewport()
    const cursor = { x: 400, y: 300 }
    const before = v.toImage(cursor)
    v.zoomAt(cursor, 3)
    const after = v.toImage(cursor)
    expect(after.x).toBeCloseTo(before.x)
    expect(after.y).toBeCloseTo(before.y)
  })

  it('round-trips between screen and image coordinates', () => {
    const v = viewport()
    v.zoomAt({ x: 10, y: 10 }, 2.5)
    v.panBy(33, -12)
    const p = { x: 1234, y: 567 }
    const back = v.toImage(v.toScreen(p))
    expect(back.x).toBeCloseTo(p.x)
    expect(back.y).toBeCloseTo(p.y)
  })

  it('centres on a box that is off screen', () => {
    const v = viewport()
    v.zoomToScale(2)
    v.centerOn({ x1: 3900, y1: 2900, x2: 3950, y2: 2950 })
    const s = v.toScreenBox({ x1: 3900, y1: 2900, x2: 3950, y2: 2950 })
    expect((s.x1 + s.x2) / 2).toBeCloseTo(800)
    expect((s.y1 + s.y2) / 2).toBeCloseTo(500)
    expect(v.scale).toBe(2)
  })
})
