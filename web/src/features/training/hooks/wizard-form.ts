/**
 * The training wizard's form as plain data: drafts of the settings (numbers kept as the text typed, so a
 * half-typed value is not lost), presets that fill them, the same checks the API makes, the request
 * body, and the API's field errors mapped back to the step and input that show them.
 */
import {
  isApiError,
  type Architecture,
  type Augmentation,
  type Scheduler,
  type TrainConfig,
  type TrainingPreset,
  type TrainingRunCreate,
} from '@/lib/api'

export const NUMERIC_FIELDS = [
  'epochs',
  'batch_size',
  'image_size',
  'learning_rate',
  'weight_decay',
  'warmup_epochs',
  'patience',
  'seed',
] as const
export type NumericField = (typeof NUMERIC_FIELDS)[number]

export type ConfigDraft = Record<NumericField, string> & {
  scheduler: Scheduler
  augmentation: Augmentation
  mixed_precision: boolean
  device: string
  pretrained: boolean
  init_model_id: number | null
  /** JSON object text for `config.model_overrides` (advanced; empty = none). */
  model_overrides: string
  preset: TrainingPreset | null
}

export interface WizardState {
  datasetId: number | null
  versionId: number | null
  architecture: string | null
  name: string
  config: ConfigDraft
}

/** Field name (as the API names it, e.g. "config.batch_size") → message. */
export type FieldErrors = Record<string, string>

interface PresetValues {
  epochs: number
  batch_size: number
  learning_rate: number
  warmup_epochs: number
  patience: number | null
  scheduler: Scheduler
  augmentation: Augmentation
}

export const PRESETS: Record<TrainingPreset, PresetValues & { title: string; summary: string }> = {
  quick: {
    title: 'Quick',
    summary: 'A first look in minutes: few epochs, light augmentation.',
    epochs: 10,
    batch_size: 8,
    learning_rate: 1e-4,
    warmup_epochs: 1,
    patience: 5,
    scheduler: 'cosine',
    augmentation: 'light',
  },
  balanced: {
    title: 'Balanced',
    summary: 'The default: enough epochs to converge on a few hundred images.',
    epochs: 50,
    batch_size: 8,
    learning_rate: 1e-4,
    warmup_epochs: 1,
    patience: 10,
    scheduler: 'cosine',
    augmentation: 'standard',
  },
  thorough: {
    title: 'Thorough',
    summary: 'Longer training with heavy augmentation, for the model you ship.',
    epochs: 150,
    batch_size: 8,
    learning_rate: 1e-4,
    warmup_epochs: 3,
    patience: 20,
    scheduler: 'cosine',
    augmentation: 'heavy',
  },
}

export const PRESET_KEYS = Object.keys(PRESETS) as TrainingPreset[]

/** YOLO-NAS pretrained weights are non-commercial, so that family trains from scratch unless asked. */
export function pretrainedByDefault(family: string): boolean {
  return family !== 'yolo-nas'
}

/** The settings a preset sets, over whatever the draft had; image size, device and seed stay. */
export function applyPreset(draft: ConfigDraft, preset: TrainingPreset): ConfigDraft {
  const p = PRESETS[preset]
  return {
    ...draft,
    epochs: String(p.epochs),
    batch_size: String(p.batch_size),
    learning_rate: String(p.learning_rate),
    warmup_epochs: String(p.warmup_epochs),
    patience: p.patience === null ? '' : String(p.patience),
    scheduler: p.scheduler,
    augmentation: p.augmentation,
    preset,
  }
}

/** A fresh draft for an architecture (or none yet), filled from a preset. */
export function draftFor(arch: Pick<Architecture, 'default_image_size' | 'family'> | null, preset: TrainingPreset = 'balanced'): ConfigDraft {
  const base: ConfigDraft = {
    epochs: '',
    batch_size: '',
    image_size: arch ? String(arch.default_image_size) : '640',
    learning_rate: '',
    weight_decay: '0.0001',
    warmup_epochs: '',
    patience: '',
    seed: '42',
    scheduler: 'cosine',
    augmentation: 'standard',
    mixed_precision: true,
    device: 'auto',
    pretrained: arch ? pretrainedByDefault(arch.family) : true,
    init_model_id: null,
    model_overrides: '',
    preset,
  }
  return applyPreset(base, preset)
}

/** After picking an architecture: its image size and pretrained default; a fine-tune source of another one is dropped. */
export function withArchitecture(draft: ConfigDraft, arch: Pick<Architecture, 'default_image_size' | 'family'>): ConfigDraft {
  return {
    ...draft,
    image_size: String(arch.default_image_size),
    pretrained: pretrainedByDefault(arch.family),
    init_model_id: null,
  }
}

/** Editing a value a preset set makes the settings custom. */
export function editDraft<K extends keyof ConfigDraft>(draft: ConfigDraft, key: K, value: ConfigDraft[K]): ConfigDraft {
  const presetField = key in PRESETS.balanced
  return { ...draft, [key]: value, preset: presetField ? null : draft.preset }
}

const DEVICE = /^(auto|cpu|cuda|cuda:\d+|mps)$/

function intIn(text: string, min: number, max: number): string | null {
  const value = Number(text)
  if (text.trim() === '' || !Number.isInteger(value)) return 'Enter a whole number.'
  if (value < min || value > max) return `Between ${min} and ${max}.`
  return null
}

/** A number in (0, max] (or [0, max] with allowZero). */
function numberIn(text: string, max: number, allowZero: boolean): string | null {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value)) return 'Enter a number.'
  if (allowZero ? value < 0 : value <= 0) return allowZero ? 'Zero or more.' : 'Greater than zero.'
  if (value > max) return `At most ${max}.`
  return null
}

function overridesError(text: string): string | null {
  if (text.trim() === '') return null
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? null : 'A JSON object, e.g. {"num_layers": 2}.'
  } catch {
    return 'Not valid JSON.'
  }
}

/** The API's own rules, checked before sending, keyed like the API's field errors. */
export function validateConfig(draft: ConfigDraft, arch: Pick<Architecture, 'size_multiple'> | null): FieldErrors {
  const checks: [string, string | null][] = [
    ['config.epochs', intIn(draft.epochs, 1, 1000)],
    ['config.batch_size', intIn(draft.batch_size, 1, 256)],
    ['config.image_size', imageSizeError(draft.image_size, arch?.size_multiple ?? 1)],
    ['config.learning_rate', numberIn(draft.learning_rate, 1, false)],
    ['config.weight_decay', numberIn(draft.weight_decay, 1, true)],
    ['config.warmup_epochs', numberIn(draft.warmup_epochs, 100, true)],
    ['config.patience', draft.patience.trim() === '' ? null : intIn(draft.patience, 1, 1000)],
    ['config.seed', intIn(draft.seed, 0, 2 ** 31 - 1)],
    ['config.device', DEVICE.test(draft.device.trim()) ? null : 'auto, cpu, cuda, cuda:N or mps.'],
    ['config.model_overrides', overridesError(draft.model_overrides)],
  ]
  return Object.fromEntries(checks.filter((c): c is [string, string] => c[1] !== null))
}

export function imageSizeError(text: string, multiple: number): string | null {
  const range = intIn(text, 32, 2048)
  if (range) return range
  return Number(text) % multiple === 0 ? null : `A multiple of ${multiple} for this architecture.`
}

/** The resolved config to send: numbers parsed, patience off when empty. */
export function configBody(draft: ConfigDraft): Partial<TrainConfig> {
  const body: Partial<TrainConfig> = {
    epochs: Number(draft.epochs),
    batch_size: Number(draft.batch_size),
    image_size: Number(draft.image_size),
    learning_rate: Number(draft.learning_rate),
    weight_decay: Number(draft.weight_decay),
    warmup_epochs: Number(draft.warmup_epochs),
    patience: draft.patience.trim() === '' ? null : Number(draft.patience),
    seed: Number(draft.seed),
    scheduler: draft.scheduler,
    augmentation: draft.augmentation,
    mixed_precision: draft.mixed_precision,
    device: draft.device.trim(),
    pretrained: draft.pretrained,
    init_model_id: draft.init_model_id,
    preset: draft.preset,
  }
  if (draft.model_overrides.trim() !== '') body.model_overrides = JSON.parse(draft.model_overrides) as Record<string, unknown>
  return body
}

export function requestBody(state: WizardState): TrainingRunCreate {
  if (state.versionId === null || state.architecture === null) throw new Error('Pick a dataset version and an architecture first.')
  const body: TrainingRunCreate = {
    dataset_version_id: state.versionId,
    architecture: state.architecture,
    config: configBody(state.config),
  }
  if (state.name.trim() !== '') body.name = state.name.trim()
  return body
}

/** "body.config.batch_size" / "config → batch_size" → "config.batch_size". */
export function normaliseField(field: string): string {
  return field
    .replace(/\s*→\s*/g, '.')
    .replace(/^body\./, '')
}

const CONFLICT_SUBJECTS = ['architecture', 'dataset_version_id'] as const

/** The API's refusal as field → message; a refusal that names no field goes under "" (shown on the review step). */
export function apiFieldErrors(error: unknown): FieldErrors {
  if (!isApiError(error)) return { '': error instanceof Error ? error.message : 'Something went wrong.' }
  const out: FieldErrors = {}
  for (const f of error.body?.fields ?? []) out[normaliseField(f.field)] ??= f.message
  const named = error.body?.field
  if (typeof named === 'string' && !(normaliseField(named) in out)) out[normaliseField(named)] = error.detail
  // A conflict names what it is about as an extra ({"architecture": "yolo-nas-s"}): show it there.
  for (const key of CONFLICT_SUBJECTS) {
    if (Object.keys(out).length === 0 && error.body?.[key] !== undefined && error.body?.[key] !== null) out[key] = error.detail
  }
  if (Object.keys(out).length === 0) out[''] = error.detail
  return out
}

export const STEPS = ['Dataset', 'Model', 'Settings', 'Review'] as const
export type StepIndex = 0 | 1 | 2 | 3

/** The wizard step whose inputs show this field's error. */
export function stepOfField(field: string): StepIndex {
  if (field === 'dataset_version_id' || field === 'dataset_id') return 0
  if (field === 'architecture') return 1
  if (field === 'config.pretrained' || field === 'config.init_model_id') return 1
  if (field.startsWith('config.')) return 2
  return 3
}

/** The first step with an error (the wizard goes back there), or null. */
export function firstStepWithError(errors: FieldErrors): StepIndex | null {
  const steps = Object.keys(errors).map(stepOfField)
  return steps.length === 0 ? null : (Math.min(...steps) as StepIndex)
}

/** Whether the person may move past this step. */
export function stepComplete(step: StepIndex, state: WizardState, arch: Pick<Architecture, 'size_multiple' | 'available'> | null): boolean {
  if (step === 0) return state.versionId !== null
  if (step === 1) return state.architecture !== null && arch !== null && arch.available
  if (step === 2) return Object.keys(validateConfig(state.config, arch)).length === 0
  return true
}
