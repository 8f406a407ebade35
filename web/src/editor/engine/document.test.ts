import { describe, expect, it } from 'vitest'
import { AnnotationDocument } from './document'
import { box, saved } from './test-helpers'

const IMAGE = { width: 1000, height: 800 }

function loaded() {
  const doc = new AnnotationDocument()
  doc.load(IMAGE, [saved(1, 0, 0, 10, 10), saved(2, 20, 20, 40, 40), saved(3, 50, 50, 60, 60)], 7)
  return doc
}

describe('AnnotationDocument change sets', () => {
  it('a freshly loaded document has nothing to save', () => {
    const doc = loaded()
    expect(doc.isDirty).toBe(false)
    expect(doc.changeSet()).toEqual({ created: [], updated: [], deleted: [] })
  })

  it('lists created, updated and deleted annotations', () => {
    const doc = loaded()
    doc.add(box('c-1', 100, 100, 150, 150))
    doc.update('srv-2', { classId: 2 })
    doc.remove('srv-3')
    const changes = doc.changeSet()
    expect(changes.created.map((a) => a.key)).toEqual(['c-1'])
    expect(changes.updated).toEqual([expect.objectContaining({ id: 2, classId: 2 })])
    expect(changes.deleted).toEqual([3])
    expect(doc.isDirty).toBe(true)
  })

  it('edits that cancel out leave nothing to save', () => {
    const doc = loaded()
    doc.add(box('c-1', 100, 100, 150, 150))
    doc.remove('c-1')
    doc.update('srv-1', { x1: 5 })
    doc.update('srv-1', { x1: 0 })
    const removed = doc.remove('srv-2')
    if (removed) doc.add(removed.annotation, removed.z)
    expect(doc.changeSet()).toEqual({ created: [], updated: [], deleted: [] })
    expect(doc.isDirty).toBe(false)
  })

  it('a save moves the base forward, assigns ids and keeps edits made while it was in flight', () => {
    const doc = loaded()
    doc.add(box('c-1', 100, 100, 150, 150))
    doc.update('srv-1', { x2: 20 })
    const snapshot = doc.beginSave()
    expect(snapshot.baseRevision).toBe(7)
    // The person keeps working while the request is in flight.
    doc.update('c-1', { x2: 160 })
    doc.markSaved(snapshot, 8, { 'c-1': 99 })
    expect(doc.revision).toBe(8)
    expect(doc.get('c-1')?.id).toBe(99)
    const next = doc.changeSet()
    expect(next.created).toEqual([])
    expect(next.updated).toEqual([expect.objectContaining({ id: 99, x2: 160 })])
    expect(next.deleted).toEqual([])
  })

  it('deleting a box created and saved in this session deletes it by its new id', () => {
    const doc = loaded()
    doc.add(box('c-1', 100, 100, 150, 150))
    const snapshot = doc.beginSave()
    doc.markSaved(snapshot, 8, { 'c-1': 42 })
    doc.remove('c-1')
    expect(doc.changeSet()).toEqual({ created: [], updated: [], deleted: [42] })
  })

  it('re-adding a box whose delete was saved creates it again', () => {
    const doc = loaded()
    const removed = doc.remove('srv-1')
    doc.markSaved(doc.beginSave(), 8, {})
    if (removed) doc.add(removed.annotation, removed.z)
    const changes = doc.changeSet()
    expect(changes.created.map((a) => a.key)).toEqual(['srv-1'])
    expect(changes.deleted).toEqual([])
  })

  it('keeps z-order: a box put back after a delete returns to its old place', () => {
    const doc = loaded()
    const removed = doc.remove('srv-2')
    doc.add(box('c-1', 0, 0, 1, 1))
    if (removed) doc.add(removed.annotation, removed.z)
    expect(doc.all().map((a) => a.key)).toEqual(['srv-1', 'srv-2', 'srv-3', 'c-1'])
  })

  it('rebases my edits on the server state after a conflict', () => {
    const doc = loaded()
    doc.add(box('c-1', 100, 100, 150, 150))
    doc.update('srv-1', { classId: 3 })
    doc.update('srv-2', { x1: 25 })
    doc.remove('srv-3')
    const mine = doc.changeSet()
    // Meanwhile someone else deleted box 2 and added box 4.
    doc.rebase([saved(1, 0, 0, 10, 10), saved(3, 50, 50, 60, 60), saved(4, 70, 70, 80, 80)], 9, mine)
    expect(doc.revision).toBe(9)
    expect(doc.all().map((a) => a.key).sort()).toEqual(['c-1', 'srv-1', 'srv-2', 'srv-4'])
    const changes = doc.changeSet()
    expect(changes.deleted).toEqual([3])
    expect(changes.updated).toEqual([expect.objectContaining({ id: 1, classId: 3 })])
    // Box 2 is gone on the server; keeping mine brings it back as a new box.
    expect(changes.created.map((a) => a.key).sort()).toEqual(['c-1', 'srv-2'])
  })

  it('emits one change event per transaction', () => {
    const doc = loaded()
    const events: number[] = []
    doc.events.on('change', (c) => events.push(c.added.length + c.removed.length + c.updated.length))
    doc.transact(() => {
      doc.update('srv-1', { classId: 2 })
      doc.update('srv-2', { classId: 2 })
      doc.remove('srv-3')
    })
    expect(events).toEqual([3])
  })
})
