import { beforeEach, describe, expect, it } from 'vitest'
import { copyBoxes, cutBoxes, pasteBoxes, readClipboard, writeClipboard } from './clipboard'
import { makeEditor, saved } from './test-helpers'

beforeEach(() => {
  writeClipboard(null)
  sessionStorage.clear()
})

describe('clipboard', () => {
  it('copies the selection and pastes it onto another image at the same place, as one undo step', () => {
    const first = makeEditor([saved(1, 100, 100, 200, 150, { classId: 2, attributes: { difficult: true } }), saved(2, 300, 300, 400, 400)])
    first.select(['srv-1'])
    expect(copyBoxes(first)).toBe(1)

    // The next image: a fresh editor, as the page makes one per image.
    const next = makeEditor([saved(9, 500, 500, 600, 600)])
    const keys = pasteBoxes(next)
    expect(keys).toHaveLength(1)
    const pasted = next.doc.get(keys[0] ?? '')
    expect(pasted).toMatchObject({ id: null, classId: 2, x1: 100, y1: 100, x2: 200, y2: 150, source: 'manual', attributes: { difficult: true } })
    expect(next.selectedKeys).toEqual(keys)
    expect(next.changeSet().created).toHaveLength(1)
    expect(next.history.state.undoLabel).toBe('Create box')

    next.undo()
    expect(next.doc.size).toBe(1)
    expect(next.isDirty).toBe(false)
    next.redo()
    expect(next.doc.get(keys[0] ?? '')).toMatchObject({ x1: 100, y1: 100 })
  })

  it('offsets a paste that would cover the box it was copied from, and again for a second paste', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 150)])
    editor.select(['srv-1'])
    copyBoxes(editor)
    const [a] = pasteBoxes(editor)
    expect(editor.doc.get(a ?? '')).toMatchObject({ x1: 110, y1: 110, x2: 210, y2: 160 })
    const [b] = pasteBoxes(editor)
    expect(editor.doc.get(b ?? '')).toMatchObject({ x1: 90, y1: 90, x2: 190, y2: 140 })
    expect(editor.doc.size).toBe(3)
  })

  it('the offset is 10 screen pixels: larger in image pixels when zoomed out', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 150)])
    editor.viewport.zoomToScale(0.5)
    editor.select(['srv-1'])
    copyBoxes(editor)
    const [a] = pasteBoxes(editor)
    expect(editor.doc.get(a ?? '')).toMatchObject({ x1: 120, y1: 120 })
  })

  it('keeps a group pasted onto a smaller image inside it, clipping what is larger than the image', () => {
    const big = makeEditor([saved(1, 700, 600, 900, 700), saved(2, 850, 650, 990, 790)])
    big.selectAll()
    copyBoxes(big)
    const small = makeEditor()
    small.load({ width: 400, height: 300 }, [], 1)
    const keys = pasteBoxes(small)
    const boxes = keys.map((k) => small.doc.get(k))
    // The group (700..990 × 600..790) keeps its shape and moves to the right and bottom edges.
    expect(boxes[0]).toMatchObject({ x1: 110, y1: 110, x2: 310, y2: 210 })
    expect(boxes[1]).toMatchObject({ x1: 260, y1: 160, x2: 400, y2: 300 })

    const tiny = makeEditor()
    tiny.load({ width: 100, height: 80 }, [], 1)
    const [clipped] = pasteBoxes(tiny).map((k) => tiny.doc.get(k))
    expect(clipped).toMatchObject({ x1: 0, y1: 0, x2: 100, y2: 80 })
  })

  it('outlives the image and survives a reload of the page through sessionStorage', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50)])
    editor.select(['srv-1'])
    copyBoxes(editor)
    const stored = sessionStorage.getItem('shelfscope.editor.clipboard')
    expect(stored).toContain('"x2":50')
    expect(readClipboard()?.boxes).toHaveLength(1)
  })

  it('cut copies and deletes (undo brings the box back); locked boxes are copied but not cut', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50), saved(2, 100, 100, 150, 150)])
    editor.selectAll()
    expect(cutBoxes(editor)).toBe(2)
    expect(editor.doc.size).toBe(0)
    editor.undo()
    expect(editor.doc.size).toBe(2)

    editor.setFlag('locked', ['srv-2'], true)
    expect(cutBoxes(editor, ['srv-1', 'srv-2'])).toBe(1)
    expect(editor.doc.has('srv-2')).toBe(true)
    expect(copyBoxes(editor, ['srv-2'])).toBe(1)
  })

  it('pasting with an empty clipboard does nothing', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50)])
    expect(pasteBoxes(editor)).toEqual([])
    expect(editor.history.state.canUndo).toBe(false)
  })
})
