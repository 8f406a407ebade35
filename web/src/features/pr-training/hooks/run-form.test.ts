import { describe, expect, it } from 'vitest'
import { prBackbone } from '@/test/pr-training'
import { defaultBackbone, defaultDraft, requestBody, sectionOf, splitError, validateDraft, withoutFields, type RunDraft } from './run-form'

function draft(patch: Partial<RunDraft> = {}): RunDraft {
  return { ...defaultDraft(), name: 'Dairy', ...patch }
}

describe('validateDraft', () => {
  it('accepts the defaults once the run has a name and a backbone', () => {
    expect(validateDraft(draft(), 'dinov2-base')).toEqual({})
    expect(validateDraft(defaultDraft(), null)).toEqual({ backbone: 'Pick a backbone.' })
    expect(validateDraft(draft({ name: 'x'.repeat(256) }), 'dinov2-base')).toEqual({ name: 'At most 255 characters.' })
  })

  it('names each bad field the way the API does', () => {
    const bad = draft({
      source: 'dataset',
      domains: [],
      frameMode: 'interval',
      frameEvery: '0',
      minImages: '1.5',
      config: { ...defaultDraft().config, epochs: '0', products_per_batch: '1', learning_rate: '0', llrd: '1.2', miner: 'hard' },
    })
    expect(validateDraft(bad, 'dinov2-base')).toEqual({
      'data.dataset_id': 'Pick a product dataset.',
      'data.domains': 'Choose at least one domain.',
      'data.frames.every': 'Between 1 and 100000.',
      'data.min_images_per_product': 'Enter a whole number.',
      'config.epochs': 'Between 1 and 1000.',
      'config.products_per_batch': 'Between 2 and 1024.',
      'config.learning_rate': 'Greater than 0.',
      'config.llrd': 'At most 1.',
    })
  })

  it('checks every split gets a share above 0 and the shares add up to 1', () => {
    expect(splitError({ train: '0.7', val: '0.15', test: '0.15' })).toBeNull()
    expect(splitError({ train: '0.8', val: '0.1', test: '0.05' })).toBe('The shares add up to 0.95, not 1.')
    expect(splitError({ train: '0.9', val: '0.1', test: '0' })).toBe('Each share is a number above 0 and below 1.')
    expect(splitError({ train: 'x', val: '0.5', test: '0.5' })).toBe('Each share is a number above 0 and below 1.')
    expect(splitError({ train: '1', val: '0', test: '0' })).toBe('Each share is a number above 0 and below 1.')
    expect(validateDraft(draft({ minImages: '1' }), 'x')).toEqual({ 'data.min_images_per_product': 'Between 2 and 100000.' })
  })
})

describe('requestBody', () => {
  it('sends the contract shape with numbers parsed and the dataset only for a dataset source', () => {
    const d = draft({ domains: ['real', 'synthetic'], frameMode: 'interval', frameEvery: '3', config: { ...defaultDraft().config, epochs: '2', image_size: '56' } })
    const body = requestBody(d, 'dinov2-small')
    expect(body).toMatchObject({
      name: 'Dairy',
      backbone: 'dinov2-small',
      pretrained: true,
      data: { source: 'all_products', dataset_id: null, domains: ['synthetic', 'real'], frames: { mode: 'interval', every: 3 }, min_images_per_product: 2, split: { train: 0.7, val: 0.15, test: 0.15 }, seed: 0 },
      config: { epochs: 2, image_size: 56, products_per_batch: 8, images_per_product: 4, loss: 'arcface_triplet', llrd: 0.8, mixed_precision: true, device: 'auto' },
    })
    expect(requestBody({ ...d, datasetId: 4 }, 'x').data.dataset_id).toBeNull()
    expect(requestBody({ ...d, name: '  ' }, 'x')).not.toHaveProperty('name')
    expect(requestBody({ ...d, source: 'dataset', datasetId: 4 }, 'x').data.dataset_id).toBe(4)
  })
})

describe('the form around the fields', () => {
  it('picks an installed backbone first, else DINOv2 base', () => {
    expect(defaultBackbone(undefined)).toBeNull()
    expect(defaultBackbone([prBackbone('dinov2-small'), prBackbone('dinov2-base')])).toBe('dinov2-base')
    expect(defaultBackbone([prBackbone('dinov2-base'), prBackbone('dinov3-small', { installed: true })])).toBe('dinov3-small')
  })

  it('maps a field to the part of the dialog that shows it', () => {
    expect(sectionOf('name')).toBe('model')
    expect(sectionOf('data')).toBe('data')
    expect(sectionOf('data.split')).toBe('data')
    expect(sectionOf('config.epochs')).toBe('training')
    expect(sectionOf('config.loss')).toBe('training')
    expect(sectionOf('config.triplet_margin')).toBe('advanced')
    expect(sectionOf('')).toBe('form')
    expect(sectionOf('something_else')).toBe('form')
  })

  it('drops the edited fields and a refusal naming no field', () => {
    expect(withoutFields({ name: 'a', 'data.split': 'b', '': 'c' }, ['name'])).toEqual({ 'data.split': 'b' })
  })
})
