import { describe, expect, it } from 'vitest'
import type { InferenceBox } from '@/lib/api'
import { countByLabel, displaySize, percentRect, thresholdLabel, visibleBoxes } from './inference'

function box(label: string, score: number, x1 = 0, y1 = 0, x2 = 10, y2 = 10): InferenceBox {
  return { x1, y1, x2, y2, class_index: 0, class_id: 1, label, score }
}

describe('the confidence slider', () => {
  const boxes = [box('cola', 0.3), box('fanta', 0.9), box('cola', 0.55), box('cola', 0.06)]

  it('keeps the boxes at or above the threshold, best first', () => {
    expect(visibleBoxes(boxes, 0.5).map((b) => b.score)).toEqual([0.9, 0.55])
    expect(visibleBoxes(boxes, 0.55).map((b) => b.score)).toEqual([0.9, 0.55])
    expect(visibleBoxes(boxes, 0.05)).toHaveLength(4)
    expect(visibleBoxes(boxes, 0.95)).toEqual([])
  })

  it('does not reorder what the server sent', () => {
    visibleBoxes(boxes, 0)
    expect(boxes.map((b) => b.score)).toEqual([0.3, 0.9, 0.55, 0.06])
  })

  it('counts shown boxes per label', () => {
    expect(countByLabel(visibleBoxes(boxes, 0.2))).toEqual([
      { label: 'cola', count: 2 },
      { label: 'fanta', count: 1 },
    ])
    expect(thresholdLabel(0.355)).toBe('36%')
  })
})

describe('percentRect', () => {
  it('places a box as percentages of the image', () => {
    expect(percentRect(box('a', 1, 50, 25, 150, 75), 200, 100)).toEqual({ left: 25, top: 25, width: 50, height: 50 })
  })

  it('clips boxes that run past the image and orders swapped corners', () => {
    expect(percentRect(box('a', 1, 250, 120, -10, 50), 200, 100)).toEqual({ left: 0, top: 50, width: 100, height: 50 })
  })
})

describe('displaySize', () => {
  it('fits a large image in the box, aspect kept', () => {
    expect(displaySize(4000, 3000)).toEqual({ width: 683, height: 512 })
    expect(displaySize(3000, 1000)).toEqual({ width: 768, height: 256 })
  })

  it('scales a tiny image up, at most six times', () => {
    expect(displaySize(96, 72)).toEqual({ width: 576, height: 432 })
    expect(displaySize(20, 10)).toEqual({ width: 120, height: 60 })
    expect(displaySize(0, 10)).toEqual({ width: 0, height: 0 })
  })
})
