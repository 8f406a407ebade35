/** The Export tab's form state and the request it describes. */
import type { DatasetFormat, ExportRequest, ResizeMode } from '@/lib/api'
import { DEFAULT_RATIOS, parseRatios, type RatioDraft } from './split-ratios'

export interface ExportDraft {
  format: DatasetFormat
  source: string
  resize: boolean
  width: string
  height: string
  mode: ResizeMode
  autoOrient: boolean
  grayscale: boolean
  copies: string
  flipH: boolean
  flipV: boolean
  rotate90: boolean
  brightness: string
  contrast: string
  blur: string
  noise: string
  splitUnassigned: boolean
  ratios: RatioDraft
  seed: string
  includeImages: boolean
}

export const INITIAL_EXPORT_DRAFT: ExportDraft = {
  format: 'yolo',
  source: 'current',
  resize: false,
  width: '640',
  height: '640',
  mode: 'letterbox',
  autoOrient: true,
  grayscale: false,
  copies: '0',
  flipH: true,
  flipV: false,
  rotate90: false,
  brightness: '0',
  contrast: '0',
  blur: '0',
  noise: '0',
  splitUnassigned: true,
  ratios: DEFAULT_RATIOS,
  seed: '0',
  includeImages: true,
}

function inRange(text: string, min: number, max: number, integer = false): number | null {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) return null
  if (integer && !Number.isInteger(n)) return null
  return n
}

/** The request the form describes, or why it cannot be sent. */
export function buildExportRequest(draft: ExportDraft): { body: ExportRequest } | { error: string } {
  const version = draft.source === 'current' ? null : Number(draft.source)
  let resize: ExportRequest['preprocessing']['resize'] = null
  if (draft.resize) {
    const width = inRange(draft.width, 8, 8192, true)
    const height = inRange(draft.height, 8, 8192, true)
    if (width === null || height === null) return { error: 'Resize width and height must be whole numbers from 8 to 8192.' }
    resize = { width, height, mode: draft.mode }
  }
  const copies = inRange(draft.copies, 0, 20, true)
  const brightness = inRange(draft.brightness, 0, 1)
  const contrast = inRange(draft.contrast, 0, 1)
  const blur = inRange(draft.blur, 0, 20)
  const noise = inRange(draft.noise, 0, 0.5)
  if (copies === null || brightness === null || contrast === null || blur === null || noise === null) {
    return { error: 'An augmentation value is out of range.' }
  }
  const seed = inRange(draft.seed, 0, 2 ** 31 - 1, true)
  if (seed === null) return { error: 'The seed must be a whole number of 0 or more.' }
  let split: ExportRequest['split'] = null
  if (version === null && draft.splitUnassigned) {
    const parsed = parseRatios(draft.ratios)
    if ('error' in parsed) return parsed
    split = { ratios: parsed.ratios, seed }
  }
  return {
    body: {
      version,
      preprocessing: { resize, auto_orient: draft.autoOrient, grayscale: draft.grayscale },
      augmentation: {
        copies,
        flip_horizontal: draft.flipH,
        flip_vertical: draft.flipV,
        rotate90: draft.rotate90,
        brightness,
        contrast,
        blur,
        noise,
      },
      split,
      seed,
      include_images: draft.includeImages,
    },
  }
}

/** Sets one field of the draft: `set('copies')('2')`. */
export type SetExportField = <K extends keyof ExportDraft>(key: K) => (value: ExportDraft[K]) => void
