import { describe, expect, it } from 'vitest'
import { reviewSelection, reviewShown, selectNextPrediction, shownPredictions } from './review'
import { click, makeEditor, saved } from './test-helpers'
import type { Annotation } from './types'

function prediction(id: number, x: number, confidence: number, extra: Partial<Annotation> = {}): Annotation {
  return saved(id, x, 100, x + 80, 200, { source: 'ai', confidence, reviewState: 'pending', model: 'grounding-dino-tiny', ...extra })
}

/** A manual box, three predictions (0.9, 0.6, 0.2) and one already rejected. */
function reviewEditor() {
  return makeEditor([
    saved(1, 10, 300, 90, 400),
    prediction(2, 100, 0.9),
    prediction(3, 300, 0.6),
    prediction(4, 500, 0.2),
    prediction(5, 700, 0.95, { reviewState: 'rejected' }),
  ])
}

function drawnKeys(editor: ReturnType<typeof makeEditor>): string[] {
  return editor.doc
    .all()
    .filter((a) => !editor.review.isHidden(a.key))
    .map((a) => a.key)
}

describe('reviewing AI predictions', () => {
  it('the threshold hides predictions below it live, without touching the document', () => {
    const editor = reviewEditor()
    expect(drawnKeys(editor)).toEqual(['srv-1', 'srv-2', 'srv-3', 'srv-4'])
    editor.setReviewThreshold(0.5)
    expect(drawnKeys(editor)).toEqual(['srv-1', 'srv-2', 'srv-3'])
    editor.setReviewThreshold(0.95)
    expect(drawnKeys(editor)).toEqual(['srv-1'])
    expect(editor.isDirty).toBe(false)
    expect(editor.history.state.canUndo).toBe(false)
    // A hidden prediction cannot be clicked: the click lands on nothing.
    click(editor, [140, 150])
    expect(editor.selectedKeys).toEqual([])
    editor.setReviewThreshold(0)
    click(editor, [140, 150])
    expect(editor.selectedKeys).toEqual(['srv-2'])
  })

  it('a selected prediction that falls below the threshold is deselected', () => {
    const editor = reviewEditor()
    editor.select(['srv-3'])
    editor.setReviewThreshold(0.7)
    expect(editor.selectedKeys).toEqual([])
  })

  it('accepting the selected prediction makes it an ordinary box and moves to the next one', () => {
    const editor = reviewEditor()
    editor.select(['srv-2'])
    expect(reviewSelection(editor, 'accepted')).toBe(1)
    expect(editor.doc.get('srv-2')?.reviewState).toBe('accepted')
    expect(editor.selectedKeys).toEqual(['srv-3'])
    expect(editor.changeSet().updated.map((a) => [a.id, a.reviewState])).toEqual([[2, 'accepted']])
  })

  it('rejecting keeps the box in the document (saved as rejected) but hides it', () => {
    const editor = reviewEditor()
    editor.select(['srv-3'])
    reviewSelection(editor, 'rejected')
    expect(editor.doc.get('srv-3')?.reviewState).toBe('rejected')
    expect(drawnKeys(editor)).not.toContain('srv-3')
    expect(editor.changeSet()).toEqual({ created: [], updated: [expect.objectContaining({ id: 3, reviewState: 'rejected' })], deleted: [] })
  })

  it('undo brings a rejected prediction back, shown and pending, and nothing is left to save', () => {
    const editor = reviewEditor()
    editor.select(['srv-3'])
    reviewSelection(editor, 'rejected')
    expect(editor.history.state.undoLabel).toBe('Reject prediction')
    editor.undo()
    expect(editor.doc.get('srv-3')?.reviewState).toBe('pending')
    expect(drawnKeys(editor)).toContain('srv-3')
    expect(editor.isDirty).toBe(false)
    editor.redo()
    expect(drawnKeys(editor)).not.toContain('srv-3')
  })

  it('accept all acts on the predictions shown above the threshold only, as one undo step', () => {
    const editor = reviewEditor()
    editor.setReviewThreshold(0.5)
    expect(reviewShown(editor, 'accepted')).toBe(2)
    const states = () => editor.doc.all().map((a) => a.reviewState)
    expect(states()).toEqual(['none', 'accepted', 'accepted', 'pending', 'rejected'])
    editor.undo()
    expect(states()).toEqual(['none', 'pending', 'pending', 'pending', 'rejected'])
    expect(editor.isDirty).toBe(false)
  })

  it('reject all leaves hidden and locked predictions alone', () => {
    const editor = reviewEditor()
    editor.setFlag('locked', ['srv-2'], true)
    expect(reviewShown(editor, 'rejected')).toBe(2)
    expect(editor.doc.get('srv-2')?.reviewState).toBe('pending')
  })

  it('N walks the shown predictions most confident first and wraps; Shift+N goes back', () => {
    const editor = reviewEditor()
    expect(shownPredictions(editor.doc.all(), 0).map((a) => a.key)).toEqual(['srv-2', 'srv-3', 'srv-4'])
    expect(selectNextPrediction(editor, 1)).toBe('srv-2')
    expect(selectNextPrediction(editor, 1)).toBe('srv-3')
    expect(selectNextPrediction(editor, 1)).toBe('srv-4')
    expect(selectNextPrediction(editor, 1)).toBe('srv-2')
    expect(selectNextPrediction(editor, -1)).toBe('srv-4')
  })

  it('the review keys ignore boxes that are not predictions', () => {
    const editor = reviewEditor()
    editor.select(['srv-1'])
    expect(reviewSelection(editor, 'accepted')).toBe(0)
    expect(editor.history.state.canUndo).toBe(false)
  })

  it('predictions stored by the server (detect) merge in as saved, replacing the old ones, and keep the history', () => {
    const editor = reviewEditor()
    editor.select(['srv-1'])
    editor.changeClass(2)
    editor.doc.applySaved(['srv-3', 'srv-4'], [prediction(9, 300, 0.7)], 8)
    expect(editor.doc.revision).toBe(8)
    expect(editor.doc.all().map((a) => a.key)).toEqual(['srv-1', 'srv-2', 'srv-5', 'srv-9'])
    // My own edit is still the only thing to save, and still undoable.
    expect(editor.changeSet()).toEqual({ created: [], updated: [expect.objectContaining({ id: 1, classId: 2 })], deleted: [] })
    editor.undo()
    expect(editor.isDirty).toBe(false)
    expect(drawnKeys(editor)).toContain('srv-9')
  })
})
