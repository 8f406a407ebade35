import { describe, expect, it } from 'vitest'
import { click, drag, makeEditor } from './test-helpers'
import type { SegmentPrompt, SegmentResult } from './tools/segment'

function samEditor(output: 'bbox' | 'polygon' = 'bbox') {
  const editor = makeEditor()
  editor.setTool('segment')
  editor.segment.output = output
  const prompts: SegmentPrompt[] = []
  editor.events.on('segmentprompt', (p) => prompts.push(p))
  return { editor, prompts }
}

const RESULT: SegmentResult = {
  mask: null,
  box: { x1: 100.4, y1: 120, x2: 300, y2: 260.6 },
  polygon: [
    { x: 100, y: 120 },
    { x: 300, y: 125 },
    { x: 290, y: 260 },
    { x: 110, y: 250 },
  ],
  score: 0.93,
}

describe('the SAM tool', () => {
  it('a click adds an include point, Shift+click or Alt+click an exclude point, each a new prompt', () => {
    const { editor, prompts } = samEditor()
    click(editor, [200, 200])
    click(editor, [220, 210], { shiftKey: true })
    click(editor, [240, 220], { altKey: true })
    expect(prompts.map((p) => p.points.map((q) => q.positive))).toEqual([[true], [true, false], [true, false, false]])
    expect(prompts.at(-1)?.points[0]).toEqual({ x: 200, y: 200, positive: true })
    expect(new Set(prompts.map((p) => p.version)).size).toBe(3)
    expect(editor.toolPath).toBe('segment.prompting')
  })

  it('a drag sets the box prompt instead of a point', () => {
    const { editor, prompts } = samEditor()
    drag(editor, [100, 100], [300, 250])
    expect(prompts.at(-1)).toMatchObject({ points: [], box: { x1: 100, y1: 100, x2: 300, y2: 250 } })
  })

  it('Enter turns the mask into a box of the current class, undoably', () => {
    const { editor, prompts } = samEditor()
    click(editor, [200, 200])
    editor.segment.setResult(prompts.at(-1)?.version ?? -1, RESULT)
    expect(editor.finish()).toBe(true)
    const [made] = editor.doc.all()
    expect(made).toMatchObject({ kind: 'bbox', classId: 1, x1: 100.4, y1: 120, x2: 300, y2: 260.6, points: null, source: 'manual' })
    expect(editor.selectedKeys).toEqual([made?.key])
    // The prompt is cleared for the next object.
    expect(editor.segment.hasPrompt).toBe(false)
    editor.undo()
    expect(editor.doc.size).toBe(0)
  })

  it('in a polygon dataset Enter keeps the outline as a polygon', () => {
    const { editor, prompts } = samEditor('polygon')
    click(editor, [200, 200])
    editor.segment.setResult(prompts.at(-1)?.version ?? -1, RESULT)
    editor.finish()
    const [made] = editor.doc.all()
    expect(made?.kind).toBe('polygon')
    expect(made?.points).toHaveLength(4)
    expect(made).toMatchObject({ x1: 100, y1: 120, x2: 300, y2: 260 })
  })

  it('an answer to an older prompt is shown until the newest arrives, never after it', () => {
    const { editor, prompts } = samEditor()
    click(editor, [200, 200])
    const first = prompts.at(-1)?.version ?? -1
    click(editor, [210, 200])
    const second = prompts.at(-1)?.version ?? -1
    editor.segment.setResult(second, RESULT)
    editor.segment.setResult(first, { ...RESULT, score: 0.1 })
    expect(editor.segment.shown?.score).toBe(0.93)
  })

  it('Enter before the newest answer keeps the shape when it arrives', () => {
    const { editor, prompts } = samEditor()
    click(editor, [200, 200])
    editor.segment.setResult(prompts.at(-1)?.version ?? -1, { ...RESULT, box: { x1: 0, y1: 0, x2: 10, y2: 10 } })
    click(editor, [210, 200])
    editor.finish()
    expect(editor.doc.size).toBe(0)
    editor.segment.setResult(prompts.at(-1)?.version ?? -1, RESULT)
    expect(editor.doc.all()[0]).toMatchObject({ x1: 100.4, x2: 300 })
  })

  it('Escape clears points and mask; a late answer then shows nothing', () => {
    const { editor, prompts } = samEditor()
    click(editor, [200, 200])
    const version = prompts.at(-1)?.version ?? -1
    editor.escape()
    expect(prompts.at(-1)).toMatchObject({ points: [], box: null })
    editor.segment.setResult(version, RESULT)
    expect(editor.segment.shown).toBeNull()
    expect(editor.finish()).toBe(false)
  })

  it('Ctrl+Z takes back the last point before touching the history', () => {
    const { editor, prompts } = samEditor()
    click(editor, [200, 200])
    click(editor, [260, 200])
    expect(editor.undo()).toBe(true)
    expect(prompts.at(-1)?.points).toHaveLength(1)
  })
})
