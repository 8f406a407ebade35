import { describe, expect, it } from 'vitest'
import { boxFromPoints, clampBox, resizeBox, translateBoxWithin } from './geometry'

const IMAGE = { width: 100, height: 50 }

describe('geometry', () => {
  it('orders a box drawn in any direction', () => {
    expect(boxFromPoints({ x: 30, y: 40 }, { x: 10, y: 5 })).toEqual({ x1: 10, y1: 5, x2: 30, y2: 40 })
  })

  it('clamps a box to the image', () => {
    expect(clampBox({ x1: -10, y1: -5, x2: 120, y2: 60 }, IMAGE)).toEqual({ x1: 0, y1: 0, x2: 100, y2: 50 })
  })

  it('moves a box without shrinking it at the image edge', () => {
    expect(translateBoxWithin({ x1: 80, y1: 10, x2: 95, y2: 20 }, 20, -30, IMAGE)).toEqual({ x1: 85, y1: 0, x2: 100, y2: 10 })
  })

  it('resizes by a corner and by an edge, keeping the opposite side', () => {
    const start = { x1: 10, y1: 10, x2: 30, y2: 30 }
    expect(resizeBox(start, 'se', { x: 40, y: 45 }, IMAGE)).toEqual({ x1: 10, y1: 10, x2: 40, y2: 45 })
    expect(resizeBox(start, 'w', { x: 5, y: 999 }, IMAGE)).toEqual({ x1: 5, y1: 10, x2: 30, y2: 30 })
    expect(resizeBox(start, 'n', { x: 999, y: 2 }, IMAGE)).toEqual({ x1: 10, y1: 2, x2: 30, y2: 30 })
  })

  it('flips when a handle crosses the opposite edge and clamps to the image', () => {
    const start = { x1: 10, y1: 10, x2: 30, y2: 30 }
    expect(resizeBox(start, 'nw', { x: 50, y: 70 }, IMAGE)).toEqual({ x1: 30, y1: 30, x2: 50, y2: 50 })
  })
})
