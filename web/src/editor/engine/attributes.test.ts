import { describe, expect, it } from 'vitest'
import { attributeKeyProblem, attributeValueProblem, renameAttributeCommand, sameAttributes, setAttributeCommand, usesVocFlags } from './attributes'
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
    editor.execute(setAttributeCommand(get(), 'facing', 3))
    editor.execute(setAttributeCommand(get(), 'pose', 'Left'))
    editor.execute(renameAttributeCommand(get(), 'facing', 'rows'))
    expect(get().attributes).toEqual({ pose: 'Left', rows: 3 })
    expect(Object.keys(get().attributes ?? {})).toEqual(['pose', 'rows'])
    expect(editor.changeSet().updated).toEqual([expect.objectContaining({ id: 1, attributes: { pose: 'Left', rows: 3 } })])

    editor.execute(setAttributeCommand(get(), 'rows', undefined))
    editor.execute(setAttributeCommand(get(), 'pose', undefined))
    expect(get().attributes).toBeNull()
    for (let i = 0; i < 5; i++) editor.undo()
    expect(get().attributes).toEqual({ pose: 'Frontal' })
    expect(editor.isDirty).toBe(false)
  })

  it('VOC flags are stored only when true, as the VOC import stores them', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50, { attributes: { difficult: true } }), saved(2, 60, 60, 90, 90)])
    expect(usesVocFlags(editor.doc.all())).toBe(true)
    editor.execute(setAttributeCommand(editor.doc.get('srv-1')!, 'difficult', false))
    editor.execute(setAttributeCommand(editor.doc.get('srv-2')!, 'occluded', true))
    expect(editor.doc.get('srv-1')?.attributes).toBeNull()
    expect(editor.doc.get('srv-2')?.attributes).toEqual({ occluded: true })
  })

  it('an edit that changes nothing is no undo step', () => {
    const editor = makeEditor([saved(1, 10, 10, 50, 50, { attributes: { a: 1 } })])
    const command = setAttributeCommand(editor.doc.get('srv-1')!, 'a', 1)
    expect(command.changes).toHaveLength(0)
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
