import { describe, expect, it } from 'vitest'
import type { Editor } from './editor'
import { click, drag, makeEditor, saved, savedPolygon } from './test-helpers'

const TRIANGLE: [number, number][] = [
  [100, 100],
  [300, 100],
  [200, 300],
]

function pairs(editor: Editor, key: string): [number, number][] {
  return (editor.doc.get(key)?.points ?? []).map((p) => [p.x, p.y])
}

function onlyKey(editor: Editor): string {
  const all = editor.doc.all()
  expect(all).toHaveLength(1)
  return all[0]?.key ?? ''
}

describe('polygon tool', () => {
  it('each click places a vertex and a click on the first one closes the polygon', () => {
    const editor = makeEditor()
    editor.setTool('polygon')
    click(editor, [100, 100])
    click(editor, [300, 100])
    expect(editor.toolPath).toBe('polygon.drawing')
    click(editor, [200, 300])
    expect(editor.doc.size).toBe(0)
    click(editor, [103, 98])
    const key = onlyKey(editor)
    expect(editor.doc.get(key)).toMatchObject({ kind: 'polygon', classId: 1, x1: 100, y1: 100, x2: 300, y2: 300, source: 'manual' })
    expect(pairs(editor, key)).toEqual(TRIANGLE)
    expect(editor.selectedKeys).toEqual([key])
    expect(editor.toolPath).toBe('polygon.idle')
    expect(editor.history.state.undoLabel).toBe('Create polygon')
    expect(editor.changeSet().created).toHaveLength(1)
    editor.undo()
    expect(editor.doc.size).toBe(0)
    editor.redo()
    expect(pairs(editor, key)).toEqual(TRIANGLE)
  })

  it('a double click or Enter closes it; Backspace takes back the last vertex; Escape abandons it', () => {
    const editor = makeEditor()
    editor.setTool('polygon')
    for (const at of TRIANGLE) click(editor, at)
    click(editor, [200, 300])
    expect(pairs(editor, onlyKey(editor))).toEqual(TRIANGLE)

    expect(editor.selectedKeys).toHaveLength(1)
    click(editor, [500, 100])
    expect(editor.selectedKeys).toEqual([])
    click(editor, [700, 100])
    click(editor, [900, 400])
    expect(editor.deleteSelected()).toBe(true)
    click(editor, [600, 400])
    expect(editor.finish()).toBe(true)
    const second = editor.doc.all()[1]?.key ?? ''
    expect(pairs(editor, second)).toEqual([
      [500, 100],
      [700, 100],
      [600, 400],
    ])

    click(editor, [10, 10])
    click(editor, [50, 10])
    editor.escape()
    expect(editor.toolPath).toBe('polygon.idle')
    expect(editor.doc.size).toBe(2)
  })

  it('Space pans in the middle of a polygon without losing it; Ctrl+Z takes back its last vertex', () => {
    const editor = makeEditor()
    editor.setTool('polygon')
    click(editor, [100, 100])
    click(editor, [300, 100])
    editor.setSpacePan(true)
    drag(editor, [500, 500], [450, 500])
    editor.setSpacePan(false)
    expect(editor.toolPath).toBe('polygon.drawing')
    // The view moved 50 px left: the image point (200, 300) is now at screen (150, 300).
    click(editor, [150, 300])
    click(editor, [400, 400])
    expect(editor.undo()).toBe(true)
    expect(editor.finish()).toBe(true)
    expect(pairs(editor, onlyKey(editor))).toEqual(TRIANGLE)
  })

  it('refuses a polygon with no area and clamps vertices to the image', () => {
    const editor = makeEditor()
    editor.setTool('polygon')
    for (const at of [[10, 10], [20, 20], [30, 30]] as [number, number][]) click(editor, at)
    expect(editor.finish()).toBe(false)
    expect(editor.toolPath).toBe('polygon.drawing')
    editor.escape()
    // The viewport shows the 1000×800 image at scale 1; a click below it lands on its edge.
    for (const at of [[900, 700], [999, 790], [950, 850]] as [number, number][]) click(editor, at)
    editor.finish()
    expect(pairs(editor, onlyKey(editor))).toEqual([
      [900, 700],
      [999, 790],
      [950, 800],
    ])
  })

  it('draws on top of other annotations without selecting them', () => {
    const editor = makeEditor([saved(1, 0, 0, 1000, 800)])
    editor.setTool('polygon')
    for (const at of TRIANGLE) click(editor, at)
    editor.finish()
    expect(editor.doc.size).toBe(2)
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 0, x2: 1000 })
  })
})

describe('editing polygon vertices with the select tool', () => {
  it('selects a polygon by its inside, not by the empty part of its bounds', () => {
    const editor = makeEditor([savedPolygon(1, TRIANGLE), saved(2, 260, 250, 290, 290)])
    click(editor, [200, 150])
    expect(editor.selectedKeys).toEqual(['srv-1'])
    // Inside the triangle's bounds, outside the triangle: only the box is there.
    click(editor, [280, 280])
    expect(editor.selectedKeys).toEqual(['srv-2'])
    click(editor, [120, 280])
    expect(editor.selectedKeys).toEqual([])
  })

  it('drags a vertex; undo and redo restore each position', () => {
    const editor = makeEditor([savedPolygon(1, TRIANGLE)])
    editor.select(['srv-1'])
    // A polygon has no box handles: its vertices are the handles.
    expect(editor.hitHandle({ x: 100, y: 100 })).toBeNull()
    drag(editor, [300, 100], [400, 150])
    expect(pairs(editor, 'srv-1')).toEqual([
      [100, 100],
      [400, 150],
      [200, 300],
    ])
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 100, y1: 100, x2: 400, y2: 300 })
    expect(editor.history.state.undoLabel).toBe('Move vertex')
    expect(editor.activeVertex).toEqual({ key: 'srv-1', index: 1 })
    expect(editor.changeSet().updated.map((a) => a.id)).toEqual([1])
    editor.undo()
    expect(pairs(editor, 'srv-1')).toEqual(TRIANGLE)
    expect(editor.doc.get('srv-1')?.x2).toBe(300)
    expect(editor.isDirty).toBe(false)
    editor.redo()
    expect(pairs(editor, 'srv-1')[1]).toEqual([400, 150])
  })

  it('a click on an edge midpoint adds a vertex, dragging it places it; Ctrl+click adds one anywhere on the outline', () => {
    const editor = makeEditor([savedPolygon(1, TRIANGLE)])
    editor.select(['srv-1'])
    click(editor, [200, 100])
    expect(pairs(editor, 'srv-1')).toEqual([
      [100, 100],
      [200, 100],
      [300, 100],
      [200, 300],
    ])
    expect(editor.history.state.undoLabel).toBe('Add vertex')
    expect(editor.activeVertex).toEqual({ key: 'srv-1', index: 1 })

    // Edge 2 runs from (300, 100) to (200, 300); its midpoint is (250, 200).
    drag(editor, [250, 200], [320, 220])
    expect(pairs(editor, 'srv-1')[3]).toEqual([320, 220])
    expect(editor.doc.get('srv-1')?.points).toHaveLength(5)

    // Away from vertices and midpoints: a plain click would only select, Ctrl+click adds a vertex.
    click(editor, [130, 101])
    expect(editor.doc.get('srv-1')?.points).toHaveLength(5)
    click(editor, [130, 101], { ctrlKey: true })
    expect(pairs(editor, 'srv-1').slice(0, 3)).toEqual([
      [100, 100],
      [130, 100],
      [200, 100],
    ])
    editor.undo()
    editor.undo()
    editor.undo()
    expect(pairs(editor, 'srv-1')).toEqual(TRIANGLE)
  })

  it('Alt+click deletes a vertex, Delete deletes the clicked one, and a polygon keeps 3', () => {
    const square: [number, number][] = [
      [100, 100],
      [300, 100],
      [300, 300],
      [100, 300],
    ]
    const editor = makeEditor([savedPolygon(1, [...square, [50, 200]])])
    editor.select(['srv-1'])
    click(editor, [50, 200], { altKey: true })
    expect(pairs(editor, 'srv-1')).toEqual(square)
    expect(editor.history.state.undoLabel).toBe('Delete vertex')
    expect(editor.doc.get('srv-1')?.x1).toBe(100)

    click(editor, [300, 300])
    expect(editor.activeVertex).toEqual({ key: 'srv-1', index: 2 })
    expect(editor.deleteSelected()).toBe(true)
    expect(pairs(editor, 'srv-1')).toEqual([
      [100, 100],
      [300, 100],
      [100, 300],
    ])
    expect(editor.activeVertex).toBeNull()

    // Three left: neither way removes another vertex, and the polygon stays.
    click(editor, [100, 300], { altKey: true })
    click(editor, [100, 300])
    expect(editor.deleteSelected()).toBe(false)
    expect(editor.doc.get('srv-1')?.points).toHaveLength(3)

    // Without an active vertex, Delete removes the selected polygon.
    editor.escape()
    expect(editor.activeVertex).toBeNull()
    expect(editor.selectedKeys).toEqual(['srv-1'])
    expect(editor.deleteSelected()).toBe(true)
    expect(editor.doc.size).toBe(0)
    editor.undo()
    editor.undo()
    editor.undo()
    expect(pairs(editor, 'srv-1')).toEqual([...square, [50, 200]])
  })

  it('dragging inside a polygon moves all its vertices', () => {
    const editor = makeEditor([savedPolygon(1, TRIANGLE)])
    drag(editor, [200, 150], [210, 170])
    expect(pairs(editor, 'srv-1')).toEqual([
      [110, 120],
      [310, 120],
      [210, 320],
    ])
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 110, y1: 120, x2: 310, y2: 320 })
  })

  it('the change set sends the edited vertices of a saved polygon', () => {
    const editor = makeEditor([savedPolygon(7, TRIANGLE)])
    editor.select(['srv-7'])
    drag(editor, [200, 300], [200, 350])
    const { updated } = editor.changeSet()
    expect(updated).toHaveLength(1)
    expect(updated[0]).toMatchObject({ id: 7, kind: 'polygon', y2: 350 })
    expect(updated[0]?.points?.[2]).toEqual({ x: 200, y: 350 })
  })
})
