import { describe, expect, it } from 'vitest'
import { restack } from './stacking'
import { makeEditor, saved } from './test-helpers'

describe('stacking order', () => {
  it('brings a box to the front (it is drawn last and clicked first) and back again with undo, saving nothing', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300), saved(2, 150, 150, 250, 250), saved(3, 0, 0, 10, 10)])
    expect(editor.hitTest({ x: 200, y: 200 })).toEqual(['srv-2', 'srv-1'])
    expect(restack(editor, 'front', ['srv-1'])).toBe(true)
    expect(editor.doc.all().map((a) => a.key)).toEqual(['srv-2', 'srv-3', 'srv-1'])
    expect(editor.hitTest({ x: 200, y: 200 })).toEqual(['srv-1', 'srv-2'])
    expect(editor.isDirty).toBe(false)
    expect(restack(editor, 'front', ['srv-1'])).toBe(false)

    expect(restack(editor, 'back', ['srv-1', 'srv-3'])).toBe(true)
    expect(editor.doc.all().map((a) => a.key)).toEqual(['srv-3', 'srv-1', 'srv-2'])
    editor.undo()
    expect(editor.doc.all().map((a) => a.key)).toEqual(['srv-2', 'srv-3', 'srv-1'])
    editor.undo()
    expect(editor.doc.all().map((a) => a.key)).toEqual(['srv-1', 'srv-2', 'srv-3'])
    expect(editor.changeSet()).toEqual({ created: [], updated: [], deleted: [] })
  })

  it('keeps the selection', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300), saved(2, 150, 150, 250, 250)])
    editor.select(['srv-1'])
    restack(editor, 'front')
    expect(editor.selectedKeys).toEqual(['srv-1'])
  })
})
