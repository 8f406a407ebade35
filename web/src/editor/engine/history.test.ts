import { describe, expect, it } from 'vitest'
import { AnnotationDocument } from './document'
import { CreateCommand, DeleteCommand, GroupCommand, History, UpdateCommand } from './history'
import { box, saved } from './test-helpers'

function setup() {
  const doc = new AnnotationDocument()
  doc.load({ width: 1000, height: 800 }, [saved(1, 0, 0, 10, 10), saved(2, 20, 20, 40, 40)], 1)
  return { doc, history: new History(doc) }
}

describe('History', () => {
  it('undoes and redoes a create', () => {
    const { doc, history } = setup()
    history.execute(new CreateCommand([box('c-1', 1, 1, 5, 5)]))
    expect(doc.has('c-1')).toBe(true)
    history.undo()
    expect(doc.has('c-1')).toBe(false)
    history.redo()
    expect(doc.get('c-1')).toMatchObject({ x1: 1, x2: 5 })
  })

  it('undoes a delete back into the same stacking place', () => {
    const { doc, history } = setup()
    history.execute(new DeleteCommand(['srv-1'], ['bbox']))
    expect(doc.has('srv-1')).toBe(false)
    history.undo()
    expect(doc.all().map((a) => a.key)).toEqual(['srv-1', 'srv-2'])
    expect(doc.isDirty).toBe(false)
  })

  it('undoes move, resize and class change in order', () => {
    const { doc, history } = setup()
    const a = () => doc.get('srv-2')
    history.execute(UpdateCommand.fromAnnotations('Move box', [a()!], (x) => ({ x1: x.x1 + 5, x2: x.x2 + 5 })))
    history.execute(UpdateCommand.fromAnnotations('Resize box', [a()!], () => ({ x2: 80 })))
    history.execute(UpdateCommand.fromAnnotations('Change class', [a()!], () => ({ classId: 3 })))
    expect(a()).toMatchObject({ x1: 25, x2: 80, classId: 3 })
    expect(history.state.undoLabel).toBe('Change class')
    history.undo()
    expect(a()).toMatchObject({ x1: 25, x2: 80, classId: 1 })
    history.undo()
    expect(a()).toMatchObject({ x1: 25, x2: 45 })
    history.undo()
    expect(a()).toMatchObject({ x1: 20, x2: 40 })
    expect(doc.isDirty).toBe(false)
    history.redo()
    history.redo()
    history.redo()
    expect(a()).toMatchObject({ x1: 25, x2: 80, classId: 3 })
  })

  it('a bulk action is one step', () => {
    const { doc, history } = setup()
    const items = doc.all()
    history.execute(
      new GroupCommand('Bulk', [
        UpdateCommand.fromAnnotations('Change class', items, () => ({ classId: 2 })),
        new CreateCommand([box('c-1', 1, 1, 2, 2), box('c-2', 3, 3, 4, 4)]),
      ]),
    )
    history.execute(new DeleteCommand(['srv-1', 'srv-2', 'c-1'], ['bbox', 'bbox', 'bbox']))
    expect(doc.all().map((a) => a.key)).toEqual(['c-2'])
    history.undo()
    expect(doc.all().map((a) => a.key)).toEqual(['srv-1', 'srv-2', 'c-1', 'c-2'])
    expect(doc.get('srv-1')?.classId).toBe(2)
    history.undo()
    expect(doc.all().map((a) => a.key)).toEqual(['srv-1', 'srv-2'])
    expect(doc.all().every((a) => a.classId === 1)).toBe(true)
  })

  it('a new action after undo drops the redo stack', () => {
    const { history } = setup()
    history.execute(new CreateCommand([box('c-1', 1, 1, 5, 5)]))
    history.undo()
    expect(history.state.canRedo).toBe(true)
    history.execute(new CreateCommand([box('c-2', 1, 1, 5, 5)]))
    expect(history.state.canRedo).toBe(false)
  })

  it('is unbounded within the session', () => {
    const { doc, history } = setup()
    for (let i = 0; i < 2000; i++) history.execute(new CreateCommand([box(`c-${i}`, 1, 1, 5, 5)]))
    expect(history.undoDepth).toBe(2000)
    while (history.undo()) {
      /* all the way back */
    }
    expect(doc.size).toBe(2)
  })
})
