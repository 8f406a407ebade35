import { describe, expect, it } from 'vitest'
import { click, drag, makeEditor, saved } from './test-helpers'

/** A 2D context that records the rectangles stroked, enough to see which boxes were drawn. */
function recordingContext() {
  const rects: number[][] = []
  const ctx = new Proxy(
    { rect: (...r: number[]) => rects.push(r), measureText: () => ({ width: 10 }) },
    { get: (target, prop) => (prop in target ? target[prop as keyof typeof target] : () => undefined), set: () => true },
  )
  return { ctx: ctx as unknown as CanvasRenderingContext2D, rects }
}

describe('hide and lock', () => {
  it('a hidden box is not drawn, not hit and not selectable; undo shows it again', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300), saved(2, 150, 150, 250, 250)])
    editor.select(['srv-2'])
    expect(editor.setFlag('hidden', ['srv-2'], true)).toBe(true)
    expect(editor.selectedKeys).toEqual([])
    expect(editor.history.state.undoLabel).toBe('Hide box')

    // The click goes through to the box beneath; select-all and a marquee leave it out.
    click(editor, [200, 200])
    expect(editor.selectedKeys).toEqual(['srv-1'])
    editor.selectAll()
    expect(editor.selectedKeys).toEqual(['srv-1'])
    drag(editor, [50, 50], [400, 400])
    expect(editor.selectedKeys).toEqual(['srv-1'])
    expect(editor.keysAt({ x: 200, y: 200 })).toEqual(['srv-1'])

    const { ctx, rects } = recordingContext()
    const canvas = { getContext: () => ctx } as unknown as HTMLCanvasElement
    editor.renderer.attach(canvas, canvas)
    editor.renderer.flush()
    expect(editor.renderer.lastStatic).toMatchObject({ drawn: 1, total: 2 })
    expect(rects).toContainEqual([100, 100, 200, 200])
    expect(rects).not.toContainEqual([150, 150, 100, 100])

    // Hiding is a view state: nothing to save.
    expect(editor.isDirty).toBe(false)
    editor.undo()
    expect(editor.visibility.isHidden('srv-2')).toBe(false)
    expect(editor.hitTest({ x: 200, y: 200 })).toEqual(['srv-2', 'srv-1'])
    editor.redo()
    expect(editor.visibility.isHidden('srv-2')).toBe(true)
  })

  it('a locked box is drawn but clicks pass through it, and it cannot be moved, resized, re-classed or deleted', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300), saved(2, 150, 150, 250, 250)])
    editor.setFlag('locked', ['srv-1'], true)
    expect(editor.history.state.undoLabel).toBe('Lock box')

    // A drag that starts on the locked box alone is a marquee, not a move.
    drag(editor, [120, 120], [140, 140])
    expect(editor.doc.get('srv-1')).toMatchObject({ x1: 100, y1: 100 })
    click(editor, [120, 120])
    expect(editor.selectedKeys).toEqual([])
    // The box inside it can still be picked and moved.
    drag(editor, [200, 200], [210, 200])
    expect(editor.doc.get('srv-2')?.x1).toBe(160)
    // The locked box is still there for the context menu.
    expect(editor.keysAt({ x: 120, y: 120 })).toEqual(['srv-1'])

    editor.select(['srv-1'])
    expect(editor.selectedKeys).toEqual([])
    expect(editor.deleteAnnotations(['srv-1'])).toBe(false)
    expect(editor.changeClass(3, ['srv-1'])).toBe(false)
    expect(editor.doc.get('srv-1')?.classId).toBe(1)

    editor.setFlag('locked', ['srv-1'], false)
    expect(editor.deleteAnnotations(['srv-1'])).toBe(true)
    expect(editor.doc.has('srv-1')).toBe(false)
    editor.undo()
    editor.undo()
    expect(editor.visibility.isLocked('srv-1')).toBe(true)
    expect(editor.doc.has('srv-1')).toBe(true)
  })

  it('locking a selected box deselects it; opening another image forgets hidden and locked boxes', () => {
    const editor = makeEditor([saved(1, 100, 100, 300, 300)])
    editor.select(['srv-1'])
    editor.setFlag('locked', ['srv-1'], true)
    expect(editor.selectedKeys).toEqual([])
    expect(editor.setFlag('locked', ['srv-1'], true)).toBe(false)
    editor.load({ width: 1000, height: 800 }, [saved(1, 100, 100, 300, 300)], 2)
    expect(editor.visibility.isLocked('srv-1')).toBe(false)
    expect(editor.history.state.canUndo).toBe(false)
  })
})
