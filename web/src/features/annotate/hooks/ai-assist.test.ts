import { describe, expect, it } from 'vitest'
import { makeEditor, saved } from '@/editor/engine/test-helpers'
import type { ServerAnnotation } from '@/lib/api'
import { mergeDetected } from './ai-assist'

function serverPrediction(id: number, confidence: number): ServerAnnotation {
  return { id, class_id: 1, kind: 'bbox', x1: 10, y1: 10, x2: 60, y2: 60, points: null, source: 'ai', confidence, review_state: 'pending', model: 'grounding-dino-tiny' }
}

describe('merging a Detect answer into the editor', () => {
  it('adds the new predictions as saved and drops the pending ones the server replaced, keeping everything else', () => {
    const editor = makeEditor([
      saved(1, 100, 100, 200, 200),
      saved(2, 300, 300, 400, 400, { source: 'ai', confidence: 0.9, reviewState: 'pending' }),
      saved(3, 500, 500, 600, 600, { source: 'ai', confidence: 0.8, reviewState: 'accepted' }),
      saved(4, 700, 500, 800, 600, { source: 'ai', confidence: 0.7, reviewState: 'pending' }),
    ])
    editor.setReviewThreshold(0.3)
    // The server now holds 1, 3, 4 (another model's prediction) and the two new ones.
    const result = mergeDetected(editor, { annotations: [serverPrediction(10, 0.85), serverPrediction(11, 0.1)], revision: 5 }, new Set([1, 3, 4, 10, 11]))
    expect(result.removed).toBe(1)
    expect(editor.doc.all().map((a) => a.key)).toEqual(['srv-1', 'srv-3', 'srv-4', 'srv-10', 'srv-11'])
    expect(editor.doc.revision).toBe(5)
    expect(editor.isDirty).toBe(false)
    expect(editor.doc.get('srv-10')).toMatchObject({ source: 'ai', reviewState: 'pending', confidence: 0.85, model: 'grounding-dino-tiny' })
    // The one below the threshold is in the document but not shown.
    expect(editor.review.isHidden('srv-11')).toBe(true)
    expect(editor.review.isHidden('srv-10')).toBe(false)
  })

  it('with replaced_ids, drops exactly those and moves to the new revision when it was at the previous one', () => {
    const editor = makeEditor([
      saved(2, 300, 300, 400, 400, { source: 'ai', confidence: 0.9, reviewState: 'pending', model: 'grounding-dino-tiny' }),
      saved(4, 700, 500, 800, 600, { source: 'ai', confidence: 0.7, reviewState: 'pending', model: 'owlv2-base' }),
    ])
    mergeDetected(editor, { annotations: [serverPrediction(10, 0.85)], replaced_ids: [2], previous_revision: 1, revision: 2 })
    expect(editor.doc.all().map((a) => a.key)).toEqual(['srv-4', 'srv-10'])
    expect(editor.doc.revision).toBe(2)
  })

  it('when someone else changed the image meanwhile, keeps its revision so the next save meets their change as a conflict', () => {
    const editor = makeEditor([saved(1, 100, 100, 200, 200)])
    mergeDetected(editor, { annotations: [serverPrediction(10, 0.85)], replaced_ids: [], previous_revision: 4, revision: 5 })
    expect(editor.doc.has('srv-10')).toBe(true)
    expect(editor.doc.revision).toBe(1)
  })
})
