import { renderHook } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { Editor, type Annotation } from '@/editor/engine'
import {
  MAX_IMAGES,
  VISIBILITY_STORAGE_KEY,
  recallVisibility,
  rememberVisibility,
  usePersistedVisibility,
  visibilityIds,
} from './persisted-visibility'

const saved = (id: number): Annotation => ({
  key: `srv-${id}`,
  id,
  classId: 1,
  kind: 'bbox',
  x1: id,
  y1: id,
  x2: id + 10,
  y2: id + 10,
  points: null,
  source: 'manual',
  confidence: null,
  reviewState: 'none',
})

function openImage(editor: Editor, ids: number[]): { items: Annotation[] } {
  const data = { items: ids.map(saved) }
  editor.load({ width: 200, height: 200 }, data.items, 1)
  return data
}

beforeEach(() => localStorage.clear())

describe('hidden and locked annotations on this device', () => {
  it('are restored when the same dataset image opens again, and only there', () => {
    const editor = new Editor()
    const first = renderHook(({ data }) => usePersistedVisibility(editor, 7, 70, data), { initialProps: { data: openImage(editor, [1, 2, 3]) } })
    editor.setFlag('hidden', ['srv-2'], true)
    editor.setFlag('locked', ['srv-3'], true)
    first.unmount()

    // Another image of the dataset, and the same image id in another dataset: nothing hidden.
    const other = new Editor()
    renderHook(() => usePersistedVisibility(other, 7, 71, openImage(other, [1, 2, 3]))).unmount()
    expect([...other.visibility.hidden, ...other.visibility.locked]).toEqual([])
    renderHook(() => usePersistedVisibility(other, 8, 70, openImage(other, [1, 2, 3]))).unmount()
    expect([...other.visibility.hidden, ...other.visibility.locked]).toEqual([])

    const again = new Editor()
    renderHook(() => usePersistedVisibility(again, 7, 70, openImage(again, [1, 2, 3])))
    expect([...again.visibility.hidden]).toEqual(['srv-2'])
    expect([...again.visibility.locked]).toEqual(['srv-3'])
    // Restoring is how the image opens, not an edit: nothing to undo.
    expect(again.history.state.canUndo).toBe(false)
  })

  it('showing and unlocking everything forgets the image; a new annotation is stored once it has an id', () => {
    const editor = new Editor()
    renderHook(() => usePersistedVisibility(editor, 1, 5, openImage(editor, [4])))
    editor.setFlag('hidden', ['srv-4'], true)
    expect(recallVisibility(1, 5)).toEqual({ hidden: [4], locked: [] })
    editor.setFlag('hidden', ['srv-4'], false)
    expect(recallVisibility(1, 5)).toEqual({ hidden: [], locked: [] })
    expect(localStorage.getItem(VISIBILITY_STORAGE_KEY)).toBeNull()

    editor.addAnnotations([{ ...saved(9), key: 'new-1', id: null }])
    editor.setFlag('locked', ['new-1'], true)
    expect(recallVisibility(1, 5).locked).toEqual([])
    const snapshot = editor.beginSave()
    editor.markSaved(snapshot, 2, { 'new-1': 99 })
    expect(visibilityIds(editor).locked).toEqual([99])
    expect(recallVisibility(1, 5).locked).toEqual([99])
  })

  it('keeps the most recently changed images only, and survives unreadable storage', () => {
    for (let i = 0; i < MAX_IMAGES + 5; i++) rememberVisibility(1, i, { hidden: [i + 1], locked: [] }, localStorage, 1000 + i)
    const stored = JSON.parse(localStorage.getItem(VISIBILITY_STORAGE_KEY) ?? '{}') as Record<string, unknown>
    expect(Object.keys(stored)).toHaveLength(MAX_IMAGES)
    expect(recallVisibility(1, 0).hidden).toEqual([])
    expect(recallVisibility(1, MAX_IMAGES + 4).hidden).toEqual([MAX_IMAGES + 5])

    localStorage.setItem(VISIBILITY_STORAGE_KEY, '{not json')
    expect(recallVisibility(1, 1)).toEqual({ hidden: [], locked: [] })
    rememberVisibility(1, 1, { hidden: [3], locked: [] })
    expect(recallVisibility(1, 1)).toEqual({ hidden: [3], locked: [] })
  })
})
