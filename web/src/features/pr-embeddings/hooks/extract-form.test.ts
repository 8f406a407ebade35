import { describe, expect, it } from 'vitest'
import { embedModel } from '@/test/matching'
import { DEFAULT_EXTRACT_FORM, defaultModel, extractFormErrors, extractRequest, extractResultOf, modelValue, orderedModels, unavailableReason } from './extract-form'

const TRAINED = embedModel({ kind: 'trained', trained_model_id: 4, name: 'Dairy embedder', dim: 128, collection_id: 2 })
const STOCK_MISSING = embedModel({ backbone: 'dinov2-base', name: 'DINOv2 base', dim: 768, installed: false })
const STOCK = embedModel()
const MODELS = [STOCK_MISSING, TRAINED, STOCK]

describe('the model choices', () => {
  it('lists registered models before stock backbones and defaults to the first one that can run', () => {
    const { trained, stock } = orderedModels(MODELS)
    expect(trained.map(modelValue)).toEqual(['trained:4'])
    expect(stock.map(modelValue)).toEqual(['stock:dinov2-base', 'stock:dinov2-small'])
    expect(defaultModel(MODELS)).toBe('trained:4')
    expect(defaultModel([STOCK_MISSING, STOCK])).toBe('stock:dinov2-small')
    expect(defaultModel([STOCK_MISSING])).toBeNull()
  })

  it('says why a backbone that is not installed cannot be chosen, with the command that fetches it', () => {
    expect(unavailableReason(STOCK_MISSING)).toContain('shelfscope models fetch dinov2-base')
    expect(unavailableReason(STOCK)).toBeNull()
  })
})

describe('the extraction form', () => {
  it('refuses what the API would: no model, a model that cannot run, no source, a bad name or batch size', () => {
    expect(extractFormErrors(DEFAULT_EXTRACT_FORM, MODELS)).toEqual({ model: 'Choose a model.' })
    const bad = { ...DEFAULT_EXTRACT_FORM, model: 'stock:dinov2-base', sources: [], collection: 'Bad Name', batchSize: '0' }
    expect(Object.keys(extractFormErrors(bad, MODELS)).sort()).toEqual(['batch_size', 'collection', 'model', 'sources'])
    expect(extractFormErrors({ ...DEFAULT_EXTRACT_FORM, model: 'trained:4', collection: 'dairy-v2' }, MODELS)).toEqual({})
  })

  it('sends the model by kind, a trimmed name or null, and null domains when all or none are ticked', () => {
    expect(extractRequest({ ...DEFAULT_EXTRACT_FORM, model: 'trained:4' })).toEqual({
      model: { kind: 'trained', trained_model_id: 4 },
      collection: null,
      sources: ['product_images', 'cutouts'],
      domains: null,
      batch_size: 32,
    })
    const stock = extractRequest({ ...DEFAULT_EXTRACT_FORM, model: 'stock:dinov2-small', collection: ' shelf ', sources: ['cutouts'], domains: ['real', 'synthetic'], batchSize: '8' })
    expect(stock).toEqual({ model: { kind: 'stock', backbone: 'dinov2-small' }, collection: 'shelf', sources: ['cutouts'], domains: ['synthetic', 'real'], batch_size: 8 })
    expect(extractRequest({ ...DEFAULT_EXTRACT_FORM, model: 'stock:x', domains: ['synthetic', 'real', 'augmented', 'cutout'] }).domains).toBeNull()
  })

  it("reads a finished job's result, and nothing from a job without one", () => {
    expect(extractResultOf({ result: { embedded: 5, unchanged: 2, removed: 1, skipped: [], candidates: 9 } })).toEqual({ embedded: 5, unchanged: 2, removed: 1, skipped: [], candidates: 9 })
    expect(extractResultOf({ result: null })).toBeNull()
  })
})
