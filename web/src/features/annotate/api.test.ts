import { describe, expect, it } from 'vitest'
import { box } from '@/editor/engine/test-helpers'
import { fromServer, toSaveBody } from './api'

describe('annotation API conversion', () => {
  it('reads a server annotation into the engine model', () => {
    const a = fromServer({
      id: 7,
      class_id: 2,
      kind: 'bbox',
      x1: 1,
      y1: 2,
      x2: 3,
      y2: 4,
      points: null,
      source: 'ai',
      confidence: 0.9,
      review_state: 'pending',
    })
    expect(a).toMatchObject({ key: 'srv-7', id: 7, classId: 2, source: 'ai', confidence: 0.9, reviewState: 'pending' })
  })

  it('writes the save body the API expects', () => {
    const body = toSaveBody(5, {
      created: [box('c-1', 1, 2, 3, 4, { classId: 3 })],
      updated: [box('srv-9', 5, 6, 7, 8, { id: 9 })],
      deleted: [11],
    })
    expect(body.updated[0]).not.toHaveProperty('attributes')
    expect(body).toEqual({
      base_revision: 5,
      created: [
        { client_id: 'c-1', class_id: 3, kind: 'bbox', x1: 1, y1: 2, x2: 3, y2: 4, points: null, source: 'manual', confidence: null, review_state: 'none' },
      ],
      updated: [{ id: 9, class_id: 1, kind: 'bbox', x1: 5, y1: 6, x2: 7, y2: 8, points: null, source: 'manual', confidence: null, review_state: 'none' }],
      deleted: [11],
      return_items: false,
    })
  })

  it('reads attributes and sends them once known (null clears them), never when unknown', () => {
    const a = fromServer({ id: 3, class_id: 1, kind: 'bbox', x1: 0, y1: 0, x2: 1, y2: 1, points: null, source: 'import', confidence: null, review_state: 'none', attributes: { difficult: true } })
    expect(a.attributes).toEqual({ difficult: true })
    const body = toSaveBody(1, {
      created: [box('c-2', 1, 2, 3, 4, { attributes: { pose: 'Left', rows: 2 } })],
      updated: [{ ...a, attributes: null }],
      deleted: [],
    })
    expect(body.created[0]).toMatchObject({ attributes: { pose: 'Left', rows: 2 } })
    expect(body.updated[0]).toMatchObject({ id: 3, attributes: null })
  })
})
