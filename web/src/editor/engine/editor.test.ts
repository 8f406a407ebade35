import { describe, expect, it } from 'vitest'
import { click, drag, makeEditor, saved } from './test-helpers'

describe('Editor selection and hit testing', () => {
  it('a click selects the topmost box; clicking again at the same spot cycles down and wraps', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300), saved(2, 150, 150, 250, 250), saved(3, 180, 180, 220, 220)])
    click(editor, [200, 200])
    expect(editor.selectedKeys).toEqual(['srv-3'])
    click(editor, [201, 200])
    expect(editor.selectedKeys).toEqual(['srv-2'])
    click(editor, [200, 201])
    expect(editor.selectedKeys).toEqual(['srv-1'])
    click(editor, [200, 200])
    expect(editor.selectedKeys).toEqual(['srv-3'])
  })

  it('a click elsewhere starts from the top again; a click on empty space deselects', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300), saved(2, 150, 150, 250, 250)])
    click(editor, [200, 200])
    click(editor, [200, 200])
    expect(editor.selectedKeys).toEqual(['srv-1'])
    click(editor, [160, 160])
    expect(editor.selectedKeys).toEqual(['srv-2'])
    click(editor, [900, 700])
    expect(editor.selectedKeys).toEqual([])
  })

  it('shift-click adds and removes; a drag on empty space selects the boxes inside', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50), saved(2, 100, 100, 150, 150), saved(3, 500, 500, 600, 600)])
    click(editor, [20, 20])
    click(editor, [120, 120], { shiftKey: true })
    expect(editor.selectedKeys).toEqual(['srv-1', 'srv-2'])
    click(editor, [20, 20], { shiftKey: true })
    expect(editor.selectedKeys).toEqual(['srv-2'])
    drag(editor, [5, 5], [200, 200])
    expect(editor.selectedKeys).toEqual(['srv-1', 'srv-2'])
  })

  it('finds handles on the corners and edges of the single selected box', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 200)])
    editor.select(['srv-1'])
    expect(editor.hitHandle({ x: 101, y: 99 })).toEqual({ key: 'srv-1', handle: 'nw' })
    expect(editor.hitHandle({ x: 300, y: 200 })).toEqual({ key: 'srv-1', handle: 'se' })
    expect(editor.hitHandle({ x: 200, y: 100 })).toEqual({ key: 'srv-1', handle: 'n' })
    expect(editor.hitHandle({ x: 250, y: 198 })).toEqual({ key: 'srv-1', handle: 's' })
    expect(editor.hitHandle({ x: 200, y: 150 })).toBeNull()
  })
})

describe('Editor tools', () => {
  it('drag moves a box, and undo puts it back', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200)])
    drag(editor, [150, 150], [250, 180])
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 200, y1: 130, x2: 300, y2: 230 })
    expect(editor.selectedKeys).toEqual(['srv-1'])
    expect(editor.history.state.undoLabel).toBe('Move box')
    editor.undo()
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 100, y1: 100, x2: 200, y2: 200 })
    editor.redo()
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 200, y1: 130 })
  })

  it('a moved box stops at the image edge without shrinking', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200)])
    drag(editor, [150, 150], [-400, 5000])
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 0, y1: 700, x2: 100, y2: 800 })
  })

  it('dragging a selected box that lies under another moves the selected one', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300), saved(2, 150, 150, 250, 250)])
    editor.select(['srv-1'])
    drag(editor, [200, 200], [210, 200])
    expect(editor.doc.get('srv-1')?.x1).toBe(110)
    expect(editor.doc.get('srv-2')?.x1).toBe(150)
  })

  it('resizes by a corner handle and by an edge, clamped to the image', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200)])
    editor.select(['srv-1'])
    drag(editor, [200, 200], [260, 240])
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 100, y1: 100, x2: 260, y2: 240 })
    drag(editor, [100, 170], [-50, 170])
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 0, y1: 100, x2: 260, y2: 240 })
    expect(editor.history.state.undoLabel).toBe('Resize box')
    editor.undo()
    editor.undo()
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 100, y1: 100, x2: 200, y2: 200 })
  })

  it('draws a box with the current class, clamped to the image, and selects it', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300)])
    editor.setTool('draw')
    editor.setCurrentClass(2)
    // Starting inside an existing box draws a new one (it does not move the old one).
    drag(editor, [150, 150], [1200, 900])
    const created = editor.doc.all().at(-1)
    expect(created).toMatchObject({ classId: 2, x1: 150, y1: 150, x2: 1000, y2: 800, source: 'manual', id: null })
    expect(editor.selectedKeys).toEqual([created?.key])
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 100 })
    editor.undo()
    expect(editor.doc.size).toBe(1)
  })

  it('ignores a click without a drag in the draw tool', () => {
    const editor = makeEditor()
    editor.setTool('draw')
    click(editor, [10, 10])
    drag(editor, [10, 10], [12, 30])
    expect(editor.doc.size).toBe(0)
  })

  it('escape cancels a move in progress and leaves the document as it was', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200)])
    editor.pointer('down', { x: 150, y: 150 })
    editor.pointer('move', { x: 190, y: 150 })
    expect(editor.toolPath).toBe('select.translating')
    editor.escape()
    editor.pointer('up', { x: 190, y: 150 })
    expect(editor.doc.get('srv-1')?.x1).toBe(100)
    expect(editor.history.state.canUndo).toBe(false)
    editor.escape()
    expect(editor.selectedKeys).toEqual([])
  })

  it('number-key class change and delete apply to the whole selection as one undo step', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50), saved(2, 100, 100, 150, 150), saved(3, 500, 500, 600, 600)])
    editor.select(['srv-1', 'srv-2'])
    editor.changeClass(3)
    expect(editor.doc.all().map((a) => a.classId)).toEqual([3, 3, 1])
    editor.deleteAnnotations()
    expect(editor.doc.size).toBe(1)
    expect(editor.selectedKeys).toEqual([])
    editor.undo()
    expect(editor.doc.size).toBe(3)
    editor.undo()
    expect(editor.doc.all().map((a) => a.classId)).toEqual([1, 1, 1])
    expect(editor.isDirty).toBe(false)
  })

  it('space borrows the pan tool; the middle button pans from any tool', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200)])
    editor.setTool('draw')
    editor.setSpacePan(true)
    drag(editor, [500, 500], [520, 530])
    expect(editor.viewport.x).toBe(20)
    expect(editor.viewport.y).toBe(30)
    editor.setSpacePan(false)
    expect(editor.toolId).toBe('draw')
    drag(editor, [500, 500], [490, 500], { button: 1 })
    expect(editor.viewport.x).toBe(10)
    expect(editor.doc.size).toBe(1)
  })

  it('wheel pans; ctrl+wheel zooms keeping the point under the cursor', () => {
    const editor = makeEditor()
    editor.wheel({ x: 300, y: 300 }, 0, 40, false)
    expect(editor.viewport.y).toBe(-40)
    const before = editor.viewport.toImage({ x: 300, y: 300 })
    editor.wheel({ x: 300, y: 300 }, 0, -100, true)
    expect(editor.viewport.scale).toBeGreaterThan(1)
    const after = editor.viewport.toImage({ x: 300, y: 300 })
    expect(after.x).toBeCloseTo(before.x)
    expect(after.y).toBeCloseTo(before.y)
  })

  it('emits typed events for selection, document, history and tool changes', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200)])
    const seen: string[] = []
    editor.events.on('selectionchange', (e) => seen.push(`selection:${e.keys.join(',')}`))
    editor.events.on('documentchange', (e) => seen.push(`document:${e.count}:${e.dirty}`))
    editor.events.on('historychange', (e) => seen.push(`history:${e.canUndo}`))
    editor.events.on('toolchange', (e) => seen.push(`tool:${e.tool}`))
    click(editor, [150, 150])
    editor.deleteAnnotations()
    editor.setTool('draw')
    expect(seen).toEqual(['selection:srv-1', 'selection:', 'document:0:true', 'history:true', 'tool:draw'])
  })
})
