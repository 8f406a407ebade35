/**
 * The create dialog's form as plain data: a draft (numbers kept as the text typed), the defaults of the
 * trainer, the API's own checks keyed by the API's field names ("config.epochs", "data.split"), the
 * request body, and which section of the dialog shows a field.
 */
import {
  PRODUCT_DOMAINS,
  type EmbedDevice,
  type EmbedLoss,
  type EmbedTrainConfig,
  type FrameSelection,
  type PrBackbone,
  type PrDataSource,
  type PrRunCreate,
  type ProductDomain,
  type TripletMiner,
} from '@/lib/api'

/** Numeric method settings the dialog edits as text. */
export const NUMBER_FIELDS = [
  'epochs',
  'products_per_batch',
  'images_per_product',
  'image_size',
  'embedding_dim',
  'arcface_weight',
  'triplet_weight',
  'domain_weight',
  'arcface_margin',
  'arcface_scale',
  'triplet_margin',
  'learning_rate',
  'backbone_lr_scale',
  'llrd',
  'weight_decay',
  'warmup_epochs',
  'patience',
  'seed',
  'batches_per_epoch',
] as const
export type NumberField = (typeof NUMBER_FIELDS)[number]

/** The settings everyone looks at; the rest sit behind "Advanced". */
export const BASIC_FIELDS: readonly NumberField[] = ['epochs', 'products_per_batch', 'images_per_product', 'image_size', 'embedding_dim']

export type ConfigDraft = Record<NumberField, string> & {
  loss: EmbedLoss
  miner: TripletMiner
  device: EmbedDevice
  mixed_precision: boolean
  augmentation: boolean
}

export interface RunDraft {
  name: string
  /** Null until picked: the first installed backbone is used. */
  backbone: string | null
  pretrained: boolean
  source: PrDataSource
  datasetId: number | null
  domains: ProductDomain[]
  frameMode: FrameSelection
  frameEvery: string
  minImages: string
  split: { train: string; val: string; test: string }
  dataSeed: string
  config: ConfigDraft
}

/** Field name as the API names it ("config.epochs") → message; "" holds a refusal naming no field. */
export type FormErrors = Record<string, string>

/** EmbedTrainConfig's defaults (ml/embeddings/config.py). */
export const DEFAULT_CONFIG: EmbedTrainConfig = {
  embedding_dim: 512,
  image_size: 224,
  epochs: 20,
  products_per_batch: 8,
  images_per_product: 4,
  loss: 'arcface_triplet',
  arcface_weight: 1,
  triplet_weight: 0.5,
  domain_weight: 0,
  arcface_margin: 28.6,
  arcface_scale: 64,
  triplet_margin: 0.2,
  miner: 'semihard',
  learning_rate: 1e-4,
  backbone_lr_scale: 0.1,
  llrd: 0.8,
  weight_decay: 0.05,
  warmup_epochs: 1,
  patience: 5,
  mixed_precision: true,
  augmentation: true,
  seed: 0,
  device: 'auto',
  batches_per_epoch: 0,
}

export function defaultDraft(): RunDraft {
  const config = Object.fromEntries(NUMBER_FIELDS.map((f) => [f, String(DEFAULT_CONFIG[f])])) as Record<NumberField, string>
  return {
    name: '',
    backbone: null,
    pretrained: true,
    source: 'all_products',
    datasetId: null,
    domains: [...PRODUCT_DOMAINS],
    frameMode: 'all',
    frameEvery: '5',
    minImages: '2',
    split: { train: '0.7', val: '0.15', test: '0.15' },
    dataSeed: '0',
    config: {
      ...config,
      loss: DEFAULT_CONFIG.loss,
      miner: DEFAULT_CONFIG.miner,
      device: DEFAULT_CONFIG.device,
      mixed_precision: DEFAULT_CONFIG.mixed_precision,
      augmentation: DEFAULT_CONFIG.augmentation,
    },
  }
}

/** The backbone a fresh form trains: the first installed one, else the catalogue's first DINOv2 base. */
export function defaultBackbone(backbones: readonly PrBackbone[] | undefined): string | null {
  if (!backbones || backbones.length === 0) return null
  return (backbones.find((b) => b.installed) ?? backbones.find((b) => b.key === 'dinov2-base') ?? backbones[0])?.key ?? null
}

/** Whole number in [min, max]. */
function intIn(text: string, min: number, max: number): string | null {
  const value = Number(text)
  if (text.trim() === '' || !Number.isInteger(value)) return 'Enter a whole number.'
  if (value < min || value > max) return `Between ${min} and ${max}.`
  return null
}

/** A number in [min, max] (or (min, max] when `open`). */
function numberIn(text: string, min: number, max: number, open = false): string | null {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value)) return 'Enter a number.'
  if (open ? value <= min : value < min) return open ? `Greater than ${min}.` : `At least ${min}.`
  if (value > max) return `At most ${max}.`
  return null
}

const CONFIG_RULES: Record<NumberField, (text: string) => string | null> = {
  epochs: (t) => intIn(t, 1, 1000),
  products_per_batch: (t) => intIn(t, 2, 1024),
  images_per_product: (t) => intIn(t, 2, 128),
  image_size: (t) => intIn(t, 28, 1024),
  embedding_dim: (t) => intIn(t, 8, 4096),
  arcface_weight: (t) => numberIn(t, 0, 100),
  triplet_weight: (t) => numberIn(t, 0, 100),
  domain_weight: (t) => numberIn(t, 0, 100),
  arcface_margin: (t) => numberIn(t, 0, 90),
  arcface_scale: (t) => numberIn(t, 0, 1000, true),
  triplet_margin: (t) => numberIn(t, 0, 10),
  learning_rate: (t) => numberIn(t, 0, 1, true),
  backbone_lr_scale: (t) => numberIn(t, 0, 10),
  llrd: (t) => numberIn(t, 0, 1, true),
  weight_decay: (t) => numberIn(t, 0, 1),
  warmup_epochs: (t) => intIn(t, 0, 1000),
  patience: (t) => intIn(t, 0, 1000),
  seed: (t) => intIn(t, 0, 2 ** 31 - 1),
  batches_per_epoch: (t) => intIn(t, 0, 1_000_000),
}

/** Train, val and test shares: each above 0 and below 1 (every split holds products), adding up to 1. */
export function splitError(split: RunDraft['split']): string | null {
  const values = [split.train, split.val, split.test].map((t) => (t.trim() === '' ? Number.NaN : Number(t)))
  if (values.some((v) => !Number.isFinite(v) || v <= 0 || v >= 1)) return 'Each share is a number above 0 and below 1.'
  const sum = values.reduce((a, b) => a + b, 0)
  return Math.abs(sum - 1) > 1e-6 ? `The shares add up to ${Number(sum.toFixed(4))}, not 1.` : null
}

function dataErrors(draft: RunDraft): [string, string | null][] {
  return [
    ['data.dataset_id', draft.source === 'dataset' && draft.datasetId === null ? 'Pick a product dataset.' : null],
    ['data.domains', draft.domains.length === 0 ? 'Choose at least one domain.' : null],
    ['data.frames.every', draft.frameMode === 'interval' ? intIn(draft.frameEvery, 1, 100_000) : null],
    ['data.min_images_per_product', intIn(draft.minImages, 2, 100_000)],
    ['data.split', splitError(draft.split)],
    ['data.seed', intIn(draft.dataSeed, 0, 2 ** 31 - 1)],
  ]
}

/** The API's rules, checked before sending. */
export function validateDraft(draft: RunDraft, backbone: string | null): FormErrors {
  const name = draft.name.trim()
  const checks: [string, string | null][] = [
    ['name', name.length > 255 ? 'At most 255 characters.' : null],
    ['backbone', backbone === null ? 'Pick a backbone.' : null],
    ...dataErrors(draft),
    ...NUMBER_FIELDS.map((f): [string, string | null] => [`config.${f}`, CONFIG_RULES[f](draft.config[f])]),
  ]
  return Object.fromEntries(checks.filter((c): c is [string, string] => c[1] !== null))
}

/** The parsed method settings. */
export function configBody(config: ConfigDraft): EmbedTrainConfig {
  const numbers = Object.fromEntries(NUMBER_FIELDS.map((f) => [f, Number(config[f])])) as Record<NumberField, number>
  return {
    ...numbers,
    loss: config.loss,
    miner: config.miner,
    device: config.device,
    mixed_precision: config.mixed_precision,
    augmentation: config.augmentation,
  }
}

/** The request; a blank name is left out (the server names the run after its backbone and data). */
export function requestBody(draft: RunDraft, backbone: string): PrRunCreate {
  return {
    ...(draft.name.trim() === '' ? {} : { name: draft.name.trim() }),
    backbone,
    pretrained: draft.pretrained,
    data: {
      source: draft.source,
      dataset_id: draft.source === 'dataset' ? draft.datasetId : null,
      domains: PRODUCT_DOMAINS.filter((d) => draft.domains.includes(d)),
      frames: { mode: draft.frameMode, every: draft.frameMode === 'interval' ? Number(draft.frameEvery) : 5 },
      min_images_per_product: Number(draft.minImages),
      split: { train: Number(draft.split.train), val: Number(draft.split.val), test: Number(draft.split.test) },
      seed: Number(draft.dataSeed),
    },
    config: configBody(draft.config),
  }
}

export type Section = 'model' | 'data' | 'training' | 'advanced' | 'form'

/** Which part of the dialog shows this field's error ("advanced" opens the collapsed part). */
export function sectionOf(field: string): Section {
  if (field === 'name' || field === 'backbone' || field === 'pretrained') return 'model'
  if (field === 'data' || field.startsWith('data.')) return 'data'
  if (field.startsWith('config.')) {
    const key = field.slice('config.'.length)
    return (BASIC_FIELDS as readonly string[]).includes(key) || key === 'loss' ? 'training' : 'advanced'
  }
  return 'form'
}

/** Errors left after the person edits these fields (a refusal naming no field goes too). */
export function withoutFields(errors: FormErrors, fields: readonly string[]): FormErrors {
  const out = { ...errors }
  for (const f of fields) delete out[f]
  delete out['']
  return out
}
