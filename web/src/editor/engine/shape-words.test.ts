import { describe, expect, it } from 'vitest'
import { shapesWord } from './shape-words'
import { makeEditor, saved, savedPolygon } from './test-helpers'

describe('shapesWord', () => {
  it('names boxes, polygons, and a mix of both as shapes', () => {
    expect(shapesWord(['bbox'])).toBe('box')
    expect(shapesWord(['polygon'])).toBe('polygon')
    expect(shapesWord(['bbox', 'bbox'])).toBe('2 boxes')
    expect(shapesWord(['polygon', 'polygon', 'polygon'])).toBe('3 polygons')
    expect(shapesWord(['polygon', 'bbox'])).toBe('2 shapes')
  })

  it('undo labels name polygons as polygons, not boxes', () => {
    const editor = makeEditor([
      savedPolygon(1, [[10, 10], [60, 10], [30, 50]]),
      savedPolygon(2, [[100, 100], [160, 100], [130, 150]]),
      saved(3, 200, 200, 260, 260),
    ])
    editor.setFlag('hidden', ['srv-1'], true)
    expect(editor.history.state.undoLabel).toBe('Hide polygon')
    editor.setFlag('locked', ['srv-2', 'srv-3'], true)
    expect(editor.history.state.undoLabel).toBe('Lock 2 shapes')
    editor.setFlag('locked', ['srv-2', 'srv-3'], false)
    editor.deleteAnnotations(['srv-2'])
    expect(editor.history.state.undoLabel).toBe('Delete polygon')
  })
})
