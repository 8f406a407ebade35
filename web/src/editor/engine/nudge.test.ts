import { describe, expect, it } from 'vitest'
import { nudgeSelection } from './nudge'
import { makeEditor, saved } from './test-helpers'

describe('nudge', () => {
  it('moves the selected boxes by whole pixels; each press is one undo step', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200), saved(2, 300, 300, 400, 400), saved(3, 500, 500, 600, 600)])
    editor.select(['srv-1', 'srv-2'])
    expect(nudgeSelection(editor, 1, 0)).toBe(true)
    expect(nudgeSelection(editor, 0, -10)).toBe(true)
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 101, y1: 90, x2: 201, y2: 190 })
    expect(editor.doc.get('srv-2')).toMatchObject({ x1: 301, y1: 290 })
    expect(editor.doc.get('srv-3')).toMatchObject({ x1: 500, y1: 500 })
    expect(editor.history.state.undoLabel).toBe('Nudge 2 boxes')
    expect(editor.changeSet().updated.map((a) => a.id).sort()).toEqual([1, 2])

    editor.undo()
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 101, y1: 100 })
    editor.undo()
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 100, y1: 100 })
    expect(editor.isDirty).toBe(false)
    editor.redo()
    editor.redo()
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 101, y1: 90 })
  })

  it('a held key (auto-repeat) is one undo step back to where it went down', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200)])
    editor.select(['srv-1'])
    nudgeSelection(editor, 1, 0)
    nudgeSelection(editor, 1, 0, false)
    for (let i = 0; i < 20; i++) nudgeSelection(editor, 1, 0, true)
    expect(editor.doc.get('srv-1')?.x1).toBe(122)
    expect(editor.history.undoDepth).toBe(2)
    editor.undo()
    expect(editor.doc.get('srv-1')?.x1).toBe(101)
    editor.redo()
    expect(editor.doc.get('srv-1')?.x1).toBe(122)
  })

  it('stops at the image edge and leaves locked boxes where they are', () => {
    const editor = makeEditor([saved(1, 5, 100, 50, 200), saved(2, 300, 300, 400, 400)])
    editor.select(['srv-1'])
    expect(nudgeSelection(editor, -10, 0)).toBe(true)
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 0, x2: 45 })
    expect(nudgeSelection(editor, -1, 0)).toBe(false)

    editor.setFlag('locked', ['srv-1'], true)
    expect(editor.selectedKeys).toEqual([])
    expect(nudgeSelection(editor, 1, 0)).toBe(false)
    expect(editor.doc.get('srv-1')?.x1).toBe(0)
  })

  it('moves polygon vertices with their box', () => {
    const poly = saved(1, 10, 10, 30, 40, { kind: 'polygon', points: [{ x: 10, y: 10 }, { x: 30, y: 10 }, { x: 20, y: 40 }] })
    const editor = makeEditor([poly])
    editor.select(['srv-1'])
    nudgeSelection(editor, 0, 1)
    expect(editor.doc.get('srv-1')?.points).toEqual([{ x: 10, y: 11 }, { x: 30, y: 11 }, { x: 20, y: 41 }])
  })
})
