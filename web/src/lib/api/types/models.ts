/** Trained detectors in the model registry (`/od/models`). */
import type { Job } from './jobs'

export interface ModelClass {
  index: number
  class_id: number
  name: string
}

export interface ClassMetrics {
  /** The dataset class (the contract's key); older metrics name only the model's output `index`. */
  class_id?: number | null
  index?: number
  name: string
  ap50: number | null
  ap50_95: number | null
  precision: number | null
  recall: number | null
}

/** Test-split metrics; `{}` for a model registered without a test evaluation. */
export interface ModelMetrics {
  map50?: number | null
  map50_95?: number | null
  precision?: number | null
  recall?: number | null
  per_class?: ClassMetrics[]
  pr_curve?: Record<string, unknown> | null
  confusion?: { labels: string[]; matrix: number[][] } | null
}

export type OnnxStatus = 'none' | 'running' | 'ready' | 'failed'

export interface OnnxInfo {
  status: OnnxStatus
  size: number | null
  /** Largest absolute difference of the raw outputs, ONNX vs PyTorch, on a real image. */
  max_abs_diff: number | null
  /** Lowest IoU between matched boxes of the two runtimes. */
  box_iou_min: number | null
  /** Matched box pairs the IoU figure is over. */
  boxes_compared?: number | null
  /** The library image the parity check ran on. */
  image_id?: number | null
  checked_at: string | null
  error: string | null
  job_id?: number | null
}

export interface TrainedModel {
  id: number
  name: string
  description: string
  architecture: string
  family: string
  /** The detector key AI auto-annotation uses: `trained:<id>`. */
  key?: string
  training_run_id: number | null
  dataset_id: number | null
  dataset_name: string | null
  dataset_version_id: number | null
  version_number?: number | null
  input_size: number
  classes: ModelClass[]
  metrics: ModelMetrics | null
  artifact_size: number | null
  is_active: boolean
  is_default: boolean
  onnx: OnnxInfo | null
  created_by: { id: number; username: string } | null
  created_at: string
  updated_at: string
}

export interface ModelListParams {
  architecture?: string | null
  family?: string | null
  active?: boolean | null
  limit?: number
  cursor?: string | null
}

export interface ModelPatch {
  name?: string
  description?: string
  is_active?: boolean
}

export interface InferenceBox {
  x1: number
  y1: number
  x2: number
  y2: number
  class_index: number
  class_id: number | null
  label: string
  score: number
}

export interface InferenceResult {
  width: number
  height: number
  boxes: InferenceBox[]
  seconds: number
}

export type ExportFormat = 'onnx' | 'tensorrt'

export interface ModelExportStarted {
  job: Job
}

/** One class across the compared models: AP per model id (null: not a class of that model). */
export interface CompareClass {
  class_id: number
  name: string
  ap50?: Record<string, number | null>
  ap50_95?: Record<string, number | null>
}

export interface ModelComparison {
  models: TrainedModel[]
  classes: CompareClass[]
}
