/** Detector training runs, architectures and trainer environments (`/od/training`, `/od/trainers`). */
import type { Job, JobStatus } from './jobs'

export type TrainingStatus = JobStatus

export const TRAINING_STATUSES: readonly TrainingStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled']

export type TrainerFamily = 'rfdetr' | 'rtdetrv2' | 'yolo-nas'
export type Scheduler = 'cosine' | 'linear' | 'step' | 'constant'
export type Augmentation = 'none' | 'light' | 'standard' | 'heavy'
export type TrainingPreset = 'quick' | 'balanced' | 'thorough'

export const SCHEDULERS: readonly Scheduler[] = ['cosine', 'linear', 'step', 'constant']
export const AUGMENTATIONS: readonly Augmentation[] = ['none', 'light', 'standard', 'heavy']

/** A run's settings as sent (every field optional: the server fills defaults) and as stored (resolved). */
export interface TrainConfig {
  epochs: number
  batch_size: number
  image_size: number
  learning_rate: number
  weight_decay: number
  warmup_epochs: number
  scheduler: Scheduler
  /** Early-stopping patience in epochs; null turns it off. */
  patience: number | null
  augmentation: Augmentation
  seed: number
  mixed_precision: boolean
  /** "auto", "cpu", "cuda", "cuda:N" or "mps". */
  device: string
  pretrained: boolean
  /** Fine-tune from a registered model of the same architecture. */
  init_model_id: number | null
  model_overrides: Record<string, unknown>
  preset: TrainingPreset | null
}

export interface TrainingRunCreate {
  name?: string
  dataset_version_id: number
  architecture: string
  config: Partial<TrainConfig>
}

export interface EpochRow {
  epoch: number
  train_loss: number | null
  val_loss: number | null
  map50: number | null
  map50_95: number | null
  learning_rate: number | null
  seconds: number | null
}

export interface StepRow {
  epoch: number
  step: number
  loss: number | null
  lr: number | null
  at: string
}

export interface TrainingMetrics {
  epochs: EpochRow[]
  steps: StepRow[]
}

export interface TrainingRun {
  id: number
  name: string
  status: TrainingStatus
  architecture: string
  family: TrainerFamily | string
  /** Null once the dataset or version was deleted. */
  dataset_id: number | null
  dataset_name: string | null
  dataset_version_id: number
  version_number: number | null
  config: TrainConfig
  current_epoch: number
  total_epochs: number
  /** 0..1 */
  progress: number
  eta_s: number | null
  best_epoch: number | null
  best_metrics: { map50: number; map50_95: number } | null
  latest: EpochRow | null
  job_id: number | null
  /** The model this run registered, once it has. */
  model_id: number | null
  error: string | null
  created_by: { id: number; username: string } | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  /** Test-split metrics, once the run finished (same shape as a model's metrics). */
  test_metrics?: { map50: number; map50_95: number; precision?: number; recall?: number } | null
}

export interface TrainingRunStarted {
  run: TrainingRun
  job: Job
}

export interface TrainingListParams {
  status?: TrainingStatus | null
  dataset_id?: number | null
  limit?: number
  cursor?: string | null
}

export interface Architecture {
  key: string
  title: string
  family: TrainerFamily | string
  size: string
  default_image_size: number
  size_multiple: number
  params_m: number
  weights_licence: string
  note: string
  available: boolean
  unavailable_reason: string | null
}

export interface TrainingEstimate {
  seconds: number
  images_per_epoch: number
  device: string
}

export interface EstimateParams {
  dataset_version_id: number
  architecture: string
  epochs: number
  image_size: number
  batch_size: number
}

/** A family's training environment (`GET /od/trainers`): part of the main install, or its own (YOLO-NAS). */
export interface TrainerEnv {
  family: TrainerFamily | string
  title: string
  architectures: string[]
  /** Trains in an environment of its own, installed on demand. */
  separate_env: boolean
  installed: boolean
  /** What is missing, in words, when not installed. */
  missing: string | null
  env_folder: string | null
  /** The running or last install job, if any. */
  install_job?: Job | null
}
