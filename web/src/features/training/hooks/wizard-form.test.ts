import { describe, expect, it } from 'vitest'
import { ApiError } from '@/lib/api'
import {
  apiFieldErrors,
  applyPreset,
  draftFor,
  editDraft,
  firstStepWithError,
  requestBody,
  stepComplete,
  validateConfig,
  withArchitecture,
  type WizardState,
} from './wizard-form'

const RFDETR = { default_image_size: 384, family: 'rfdetr', size_multiple: 32, available: true }
const YOLO = { default_image_size: 640, family: 'yolo-nas', size_multiple: 32, available: true }

function state(overrides: Partial<WizardState> = {}): WizardState {
  return { datasetId: 1, versionId: 5, architecture: 'rfdetr-nano', name: '', config: draftFor(RFDETR), ...overrides }
}

describe('presets', () => {
  it('fill epochs, learning rate, augmentation and patience, and keep image size, seed and device', () => {
    const draft = { ...draftFor(RFDETR), image_size: '416', seed: '7', device: 'cpu' }
    const quick = applyPreset(draft, 'quick')
    expect(quick).toMatchObject({ epochs: '10', augmentation: 'light', patience: '5', preset: 'quick' })
    expect(quick).toMatchObject({ image_size: '416', seed: '7', device: 'cpu' })
    const thorough = applyPreset(quick, 'thorough')
    expect(thorough).toMatchObject({ epochs: '150', augmentation: 'heavy', patience: '20', warmup_epochs: '3' })
  })

  it('the default draft is the balanced preset at the architecture size', () => {
    expect(draftFor(RFDETR)).toMatchObject({ epochs: '50', image_size: '384', preset: 'balanced', pretrained: true })
  })

  it('YOLO-NAS trains from scratch by default (its pretrained weights are non-commercial)', () => {
    expect(draftFor(YOLO).pretrained).toBe(false)
    const switched = withArchitecture({ ...draftFor(RFDETR), init_model_id: 3 }, YOLO)
    expect(switched).toMatchObject({ pretrained: false, image_size: '640', init_model_id: null })
  })

  it('editing a preset value makes the settings custom; editing the device does not', () => {
    const draft = draftFor(RFDETR, 'quick')
    expect(editDraft(draft, 'epochs', '12').preset).toBeNull()
    expect(editDraft(draft, 'device', 'cpu').preset).toBe('quick')
  })
})

describe('validation', () => {
  it('accepts the presets as they are', () => {
    for (const preset of ['quick', 'balanced', 'thorough'] as const) {
      expect(validateConfig(draftFor(RFDETR, preset), RFDETR)).toEqual({})
    }
  })

  it('names the field the API would name', () => {
    const draft = {
      ...draftFor(RFDETR),
      batch_size: '0',
      image_size: '400',
      epochs: '2.5',
      learning_rate: '0',
      weight_decay: '2',
      warmup_epochs: '0.5',
      device: 'gpu',
      model_overrides: '[1]',
    }
    const errors = validateConfig(draft, RFDETR)
    expect(Object.keys(errors).sort()).toEqual([
      'config.batch_size',
      'config.device',
      'config.epochs',
      'config.image_size',
      'config.learning_rate',
      'config.model_overrides',
      'config.weight_decay',
    ])
    expect(errors['config.image_size']).toMatch(/multiple of 32/)
  })

  it('an empty patience turns early stopping off', () => {
    const body = requestBody(state({ config: { ...draftFor(RFDETR), patience: '' } }))
    expect(body.config.patience).toBeNull()
  })

  it('steps 1 and 2 need a version and an available architecture', () => {
    expect(stepComplete(0, state({ versionId: null }), RFDETR)).toBe(false)
    expect(stepComplete(1, state(), { ...RFDETR, available: false })).toBe(false)
    expect(stepComplete(1, state(), RFDETR)).toBe(true)
    expect(stepComplete(2, state({ config: { ...draftFor(RFDETR), epochs: '0' } }), RFDETR)).toBe(false)
  })
})

describe('request body', () => {
  it('parses numbers and the overrides JSON, and leaves the name out when blank', () => {
    const config = { ...draftFor(RFDETR, 'quick'), epochs: '1', image_size: '64', model_overrides: '{"num_layers": 1}' }
    const body = requestBody(state({ config }))
    expect(body).toEqual({
      dataset_version_id: 5,
      architecture: 'rfdetr-nano',
      config: expect.objectContaining({ epochs: 1, image_size: 64, learning_rate: 1e-4, model_overrides: { num_layers: 1 }, preset: 'quick' }),
    })
    expect('name' in body).toBe(false)
    expect(requestBody(state({ name: '  mine ' })).name).toBe('mine')
  })
})

describe('API errors', () => {
  it('maps field errors to fields and to the first step that shows one', () => {
    const error = new ApiError(422, {
      error: 'ValidationFailed',
      detail: 'Invalid run',
      fields: [
        { field: 'body.config.batch_size', message: 'must be at least 1' },
        { field: 'dataset_version_id', message: 'This version has no val images.' },
      ],
    })
    const errors = apiFieldErrors(error)
    expect(errors).toEqual({ 'config.batch_size': 'must be at least 1', dataset_version_id: 'This version has no val images.' })
    expect(firstStepWithError(errors)).toBe(0)
    expect(firstStepWithError({ 'config.batch_size': 'x' })).toBe(2)
  })

  it('a conflict with no fields is shown on the review step', () => {
    const error = new ApiError(409, { error: 'Conflict', detail: 'Run `shelfscope trainers install yolo-nas` first.' })
    expect(apiFieldErrors(error)).toEqual({ '': 'Run `shelfscope trainers install yolo-nas` first.' })
    expect(firstStepWithError(apiFieldErrors(error))).toBe(3)
  })

  it('a conflict naming its subject goes to that field', () => {
    const error = new ApiError(409, { error: 'Conflict', detail: 'Install the YOLO-NAS environment.', architecture: 'yolo-nas-s' })
    expect(apiFieldErrors(error)).toEqual({ architecture: 'Install the YOLO-NAS environment.' })
    expect(firstStepWithError(apiFieldErrors(error))).toBe(1)
  })
})
