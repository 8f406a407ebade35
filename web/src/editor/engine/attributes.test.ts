import { describe, expect, it } from 'vitest'
import { attributeKeyProblem, attributeValueProblem, renameAttribute, sameAttributes, setAttribute, usesVocFlags } from './attributes'
import { sameContent } from './document'
import { box, makeEditor, saved } from './test-helpers'

describe('attributes', () => {
  it('compares deeply, ignoring key order; unknown, null and empty are all "none"', () => {
    expect(sameAttributes({ a: 1, b: { c: [1, 'x'] } }, { b: { c: [1, 'x'] }, a: 1 })).toBe(true)
    expect(sameAttributes({ a: 1 }, { a: '1' })).toBe(false)
    expect(sameAttributes(null, {})).toBe(true)
    expect(sameAttributes(undefined, null)).toBe(true)
    expect(sameAttributes(null, { a: false })).toBe(false)
    expect(sameContent(box('k', 0, 0, 1, 1, { attributes: { a: 1 } }), box('k', 0, 0, 1, 1, { attributes: { a: 2 } }))).toBe(false)
  })

  it('sets, changes, renames and removes an attribute, each undoable and saved as an update', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50, { attributes: { pose: 'Frontal' } })])
    const get = () => editor.doc.get('srv-1')!
    expect(setAttribute(editor, 'srv-1', 'facing', 3)).toBe(true)
    setAttribute(editor, 'srv-1', 'pose', 'Left')
    renameAttribute(editor, 'srv-1', 'facing', 'rows')
    expect(get().attributes).toEqual({ pose: 'Left', rows: 3 })
    expect(Object.keys(get().attributes ?? {})).toEqual(['pose', 'rows'])
    expect(editor.changeSet().updated).toEqual([expect.objectContaining({ id: 1, attributes: { pose: 'Left', rows: 3 } })])

    setAttribute(editor, 'srv-1', 'rows', undefined)
    setAttribute(editor, 'srv-1', 'pose', undefined)
    expect(get().attributes).toBeNull()
    for (let i = 0; i < 5; i++) editor.undo()
    expect(get().attributes).toEqual({ pose: 'Frontal' })
    expect(editor.isDirty).toBe(false)
  })

  it('VOC flags are stored only when true, as the VOC import stores them', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50, { attributes: { difficult: true } }), saved(2, 60, 60, 90, 90)])
    expect(usesVocFlags(editor.doc.all())).toBe(true)
    setAttribute(editor, 'srv-1', 'difficult', false)
    setAttribute(editor, 'srv-2', 'occluded', true)
    expect(editor.doc.get('srv-1')?.attributes).toBeNull()
    expect(editor.doc.get('srv-2')?.attributes).toEqual({ occluded: true })
  })

  it('an edit that changes nothing, or of a locked box, is no undo step', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50, { attributes: { a: 1 } })])
    expect(setAttribute(editor, 'srv-1', 'a', 1)).toBe(false)
    editor.setFlag('locked', ['srv-1'], true)
    expect(setAttribute(editor, 'srv-1', 'a', 2)).toBe(false)
    expect(editor.doc.get('srv-1')?.attributes).toEqual({ a: 1 })
    expect(editor.history.undoDepth).toBe(1)
  })

  it('checks names and values', () => {
    expect(attributeKeyProblem('  ', null)).toMatch(/Name/)
    expect(attributeKeyProblem('pose', { pose: 'x' })).toMatch(/already/)
    expect(attributeKeyProblem('pose', { pose: 'x' }, 'pose')).toBeNull()
    expect(attributeKeyProblem('a\u202eb', null)).not.toBeNull()
    expect(attributeKeyProblem('x'.repeat(65), null)).toMatch(/64/)
    expect(attributeValueProblem(Number.NaN)).not.toBeNull()
    expect(attributeValueProblem(Number.POSITIVE_INFINITY)).not.toBeNull()
    expect(attributeValueProblem(2.5)).toBeNull()
  })
})
