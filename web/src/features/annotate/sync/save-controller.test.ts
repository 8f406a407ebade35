import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChangeSet } from '@/editor/engine'
import { box, makeEditor, saved } from '@/editor/engine/test-helpers'
import { MemoryPendingStore } from './pending-store'
import { ConflictError, SaveController, type SaveFn } from './save-controller'

/** A fake server that applies saves to its own revision counter. */
function fakeServer() {
  const calls: { baseRevision: number; changes: ChangeSet }[] = []
  let revision = 1
  let nextId = 100
  let failing: 'network' | null = null
  const save: SaveFn = (baseRevision, changes) => {
    calls.push({ baseRevision, changes: structuredClone(changes) })
    if (failing === 'network') return Promise.reject(new Error('Cannot reach the Shelfscope server.'))
    if (baseRevision !== revision) return Promise.reject(new ConflictError({ revision, items: [saved(1, 0, 0, 10, 10), saved(9, 5, 5, 50, 50)] }))
    revision += 1
    const idMap: Record<string, number> = {}
    for (const c of changes.created) idMap[c.key] = nextId++
    return Promise.resolve({ revision, idMap })
  }
  return {
    save,
    calls,
    fail: (mode: 'network' | null) => {
      failing = mode
    },
    bump: () => {
      revision += 1
    },
  }
}

function setup() {
  const editor = makeEditor([saved(1, 0, 0, 10, 10), saved(2, 20, 20, 40, 40)])
  const server = fakeServer()
  const store = new MemoryPendingStore()
  const controller = new SaveController({ editor, save: server.save, store, datasetId: 3, imageId: 4 })
  controller.start()
  return { editor, server, store, controller }
}

describe('SaveController', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('saves 2 s after the last change, not before', async () => {
    const { editor, server, controller } = setup()
    editor.addAnnotations([box('c-1', 100, 100, 200, 200)])
    await vi.advanceTimersByTimeAsync(1500)
    editor.changeClass(2, ['c-1'])
    await vi.advanceTimersByTimeAsync(1900)
    expect(server.calls).toHaveLength(0)
    expect(controller.current.status).toBe('unsaved')
    await vi.advanceTimersByTimeAsync(200)
    expect(server.calls).toHaveLength(1)
    expect(server.calls[0]?.changes.created).toEqual([expect.objectContaining({ key: 'c-1', classId: 2 })])
    expect(controller.current.status).toBe('saved')
    expect(editor.doc.get('c-1')?.id).toBe(100)
    expect(editor.doc.revision).toBe(2)
  })

  it('keeps edits on the device while unsaved and clears them once saved', async () => {
    const { editor, store } = setup()
    editor.deleteAnnotations(['srv-2'])
    await vi.advanceTimersByTimeAsync(300)
    expect((await store.get(3, 4))?.changes.deleted).toEqual([2])
    await vi.advanceTimersByTimeAsync(2000)
    expect(await store.get(3, 4)).toBeNull()
  })

  it('goes offline when the network fails, keeps the edits and retries with backoff', async () => {
    const { editor, server, store, controller } = setup()
    server.fail('network')
    editor.deleteAnnotations(['srv-2'])
    await vi.advanceTimersByTimeAsync(2100)
    expect(controller.current.status).toBe('offline')
    expect((await store.get(3, 4))?.changes.deleted).toEqual([2])
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(2000)
    expect(server.calls).toHaveLength(3)
    server.fail(null)
    await vi.advanceTimersByTimeAsync(4000)
    expect(controller.current.status).toBe('saved')
    expect(await store.get(3, 4)).toBeNull()
  })

  it('restores edits kept on the device after a reload and saves them', async () => {
    const { editor, server, store, controller } = setup()
    server.fail('network')
    editor.addAnnotations([box('c-1', 100, 100, 200, 200)])
    editor.changeClass(3, ['srv-1'])
    await vi.advanceTimersByTimeAsync(2100)
    controller.dispose()

    // A new page: the same server state, a fresh editor.
    server.fail(null)
    const reloaded = makeEditor([saved(1, 0, 0, 10, 10), saved(2, 20, 20, 40, 40)])
    const next = new SaveController({ editor: reloaded, save: server.save, store, datasetId: 3, imageId: 4 })
    next.start()
    expect(await next.restore()).toBe('applied')
    expect(reloaded.doc.get('c-1')).toBeDefined()
    expect(reloaded.doc.get('srv-1')?.classId).toBe(3)
    await vi.advanceTimersByTimeAsync(10)
    expect(next.current.status).toBe('saved')
    expect(server.calls.at(-1)?.changes.created.map((a) => a.key)).toEqual(['c-1'])
    expect(await store.get(3, 4)).toBeNull()
  })

  it('stops at a conflict; keeping mine re-applies my edits on the server revision', async () => {
    const { editor, server, controller } = setup()
    server.bump()
    editor.changeClass(2, ['srv-1'])
    await vi.advanceTimersByTimeAsync(2100)
    expect(controller.current.status).toBe('conflict')
    expect(controller.current.conflict?.current.revision).toBe(2)
    editor.changeClass(3, ['srv-2'])
    await vi.advanceTimersByTimeAsync(5000)
    expect(server.calls).toHaveLength(1)

    await controller.resolveConflict('mine')
    expect(controller.current.status).toBe('saved')
    const last = server.calls.at(-1)
    expect(last?.baseRevision).toBe(2)
    // Box 2 was deleted on the server: keeping mine creates it again; box 1 gets my class.
    expect(last?.changes.updated).toEqual([expect.objectContaining({ id: 1, classId: 2 })])
    expect(last?.changes.created).toEqual([expect.objectContaining({ key: 'srv-2', classId: 3 })])
    expect(editor.doc.get('srv-9')).toBeDefined()
  })

  it('reloading theirs discards my edits', async () => {
    const { editor, server, store, controller } = setup()
    server.bump()
    editor.deleteAnnotations(['srv-1'])
    await vi.advanceTimersByTimeAsync(2100)
    await controller.resolveConflict('theirs')
    expect(controller.current.status).toBe('saved')
    expect(editor.doc.all().map((a) => a.key)).toEqual(['srv-1', 'srv-9'])
    expect(editor.isDirty).toBe(false)
    expect(await store.get(3, 4)).toBeNull()
  })

  it('flush saves at once and reports success', async () => {
    const { editor, server, controller } = setup()
    editor.deleteAnnotations(['srv-1'])
    await expect(controller.flush()).resolves.toBe(true)
    expect(server.calls).toHaveLength(1)
    server.fail('network')
    editor.deleteAnnotations(['srv-2'])
    await expect(controller.flush()).resolves.toBe(false)
    expect(controller.hasUnsavedChanges).toBe(true)
  })

  it('edits made while a save is in flight are saved next', async () => {
    const { editor, server, controller } = setup()
    let release: () => void = () => undefined
    const slow: SaveFn = (base, changes) =>
      new Promise((resolve, reject) => {
        release = () => void server.save(base, changes).then(resolve, reject)
      })
    const c2 = new SaveController({ editor, save: slow, store: new MemoryPendingStore(), datasetId: 3, imageId: 4 })
    controller.dispose()
    c2.start()
    editor.changeClass(2, ['srv-1'])
    await vi.advanceTimersByTimeAsync(2100)
    expect(c2.current.status).toBe('saving')
    editor.changeClass(3, ['srv-2'])
    release()
    await vi.advanceTimersByTimeAsync(10)
    expect(c2.current.status).toBe('unsaved')
    await vi.advanceTimersByTimeAsync(2100)
    release()
    await vi.advanceTimersByTimeAsync(10)
    expect(c2.current.status).toBe('saved')
    expect(server.calls.map((c) => c.changes.updated.map((u) => u.id))).toEqual([[1], [2]])
  })

  it('exclusive saves first, holds autosave while a detect runs, then saves on its new revision', async () => {
    const { editor, server, controller } = setup()
    editor.changeClass(2, ['srv-1'])
    let finishDetect: () => void = () => undefined
    const detect = controller.exclusive(async () => {
      // The server stores predictions on its own: its revision moves on.
      await new Promise<void>((resolve) => {
        finishDetect = resolve
      })
      server.bump()
      editor.doc.applySaved([], [saved(50, 1, 1, 9, 9, { source: 'ai', reviewState: 'pending', confidence: 0.8 })], 3)
      return 'detected'
    })
    await vi.advanceTimersByTimeAsync(10)
    // The edit made before went first, on the old revision.
    expect(server.calls.map((c) => c.baseRevision)).toEqual([1])
    editor.changeClass(3, ['srv-2'])
    await vi.advanceTimersByTimeAsync(5000)
    expect(server.calls).toHaveLength(1)
    finishDetect()
    expect(await detect).toBe('detected')
    await vi.advanceTimersByTimeAsync(10)
    expect(server.calls.map((c) => c.baseRevision)).toEqual([1, 3])
    expect(controller.current.status).toBe('saved')
  })

  it('exclusive does not run the call when the unsaved edits cannot be saved', async () => {
    const { editor, server, controller } = setup()
    server.fail('network')
    editor.changeClass(2, ['srv-1'])
    let ran = false
    const result = await controller.exclusive(() => {
      ran = true
      return Promise.resolve(1)
    })
    expect(result).toBeNull()
    expect(ran).toBe(false)
  })
})
