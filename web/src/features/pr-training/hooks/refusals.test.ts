import { describe, expect, it } from 'vitest'
import { ApiError } from '@/lib/api'
import { dataShortfall, linkedModelIds, runFormErrors } from './refusals'
import { listPollInterval, LIST_POLL_MS } from './queries'

describe('refusals', () => {
  it('reads the models a 409 names', () => {
    expect(linkedModelIds(new ApiError(409, { error: 'Conflict', detail: 'linked', model_ids: [3, 4] }))).toEqual([3, 4])
    expect(linkedModelIds(new ApiError(409, { error: 'Conflict', detail: 'live run' }))).toBeNull()
    expect(linkedModelIds(new ApiError(404, { error: 'NotFound', detail: 'gone', model_ids: [3] }))).toBeNull()
    expect(linkedModelIds(new Error('x'))).toBeNull()
  })

  it('reads the counts of a too-little-data refusal', () => {
    const body = { error: 'ValidationFailed', detail: 'data: too little', fields: [{ field: 'data', message: 'too few products or images' }], field: 'data', products: 4, images: 30, min_products: 10, min_images: 100 }
    expect(dataShortfall(new ApiError(422, body))).toEqual({ detail: 'data: too little', products: 4, images: 30, minProducts: 10, minImages: 100 })
    expect(dataShortfall(new ApiError(422, { ...body, field: undefined }))).not.toBeNull()
    expect(dataShortfall(new ApiError(422, { ...body, field: 'config.epochs', fields: [] }))).toBeNull()
    expect(dataShortfall(new ApiError(422, { error: 'ValidationFailed', detail: 'x', field: 'data' }))).toBeNull()
  })

  it('puts a refusal about the backbone weights under the backbone, and field errors at their fields', () => {
    const gated = new ApiError(409, { error: 'Conflict', detail: 'DINOv3 weights are gated on the hub', backbone: 'dinov3-small', gated: true })
    expect(runFormErrors(gated)).toEqual({ backbone: 'DINOv3 weights are gated on the hub' })
    const fields = new ApiError(422, { error: 'ValidationFailed', detail: 'x', fields: [{ field: 'config.products_per_batch', message: 'is 8, but the train split has 7 products' }] })
    expect(runFormErrors(fields)).toEqual({ 'config.products_per_batch': 'is 8, but the train split has 7 products' })
  })
})

describe('listPollInterval', () => {
  it('polls every 5 s while a run is queued or running, not at all otherwise', () => {
    expect(listPollInterval([{ status: 'succeeded' }, { status: 'running' }])).toBe(LIST_POLL_MS)
    expect(LIST_POLL_MS).toBe(5000)
    expect(listPollInterval([{ status: 'queued' }])).toBe(5000)
    expect(listPollInterval([{ status: 'failed' }, { status: 'cancelled' }])).toBe(false)
    expect(listPollInterval(undefined)).toBe(false)
  })
})
