/** Dataset exports (`/od/datasets/{id}/export/{format}`) and the `od.exports.run` job's result. */
import { isRecord } from './common'
import type { DatasetFormat, SplitRatios } from './datasets'
import type { Job } from './jobs'

export type ResizeMode = 'stretch' | 'fit' | 'letterbox'

export interface ExportPreprocessing {
  resize?: { width: number; height: number; mode: ResizeMode } | null
  auto_orient: boolean
  grayscale: boolean
}

export interface ExportAugmentation {
  copies: number
  flip_horizontal: boolean
  flip_vertical: boolean
  rotate90: boolean
  brightness: number
  contrast: number
  blur: number
  noise: number
}

export interface ExportRequest {
  /** A version number; absent exports the dataset as it is now. */
  version?: number | null
  preprocessing: ExportPreprocessing
  augmentation: ExportAugmentation
  /** Current-dataset exports only: where images without a recorded split go. */
  split?: { ratios: SplitRatios; seed: number } | null
  seed: number
  include_images: boolean
}

/** Result of an `od.exports.run` job. */
export interface ExportResult {
  format: DatasetFormat
  dataset_id: number
  version: number | null
  key: string
  filename: string
  size_bytes: number
  images: number
  augmented_images: number
  annotations: number
  classes: string[]
  splits: Record<string, number>
  seconds: number
  /** Images deleted while the export ran: left out with their annotations, and named in `warnings`. */
  skipped_images?: number
  warnings?: string[]
}

/** The export result in a job's result, or null when the job has none (yet). */
export function exportResultOf(job: Pick<Job, 'result'> | null | undefined): ExportResult | null {
  const result: unknown = job?.result
  if (!isRecord(result) || typeof result.filename !== 'string' || typeof result.size_bytes !== 'number') return null
  return result as unknown as ExportResult
}
