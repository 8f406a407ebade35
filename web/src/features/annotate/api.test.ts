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
})
