/**
 * Embedding training, evaluation and registered embedding models (`/pr/training`, `/pr/evaluations`,
 * `/pr/models`): runs with their data and method, per-epoch checkpoints, retrieval reports, models.
 */
import type { Job, JobStatus } from './jobs'
import type { ProductDomain } from './products'

export type PrRunStatus = JobStatus

export type PrDataSource = 'all_products' | 'matched_products' | 'dataset'
export const PR_DATA_SOURCES: readonly PrDataSource[] = ['all_products', 'matched_products', 'dataset']

export type FrameSelection = 'all' | 'first' | 'key_frames' | 'interval'
export const FRAME_SELECTIONS: readonly FrameSelection[] = ['all', 'first', 'key_frames', 'interval']

export type EmbedLoss = 'arcface' | 'arcface_triplet'
export type TripletMiner = 'semihard' | 'hard' | 'all'
export const TRIPLET_MINERS: readonly TripletMiner[] = ['semihard', 'hard', 'all']
export type EmbedDevice = 'auto' | 'cpu' | 'cuda' | 'mps'
export const EMBED_DEVICES: readonly EmbedDevice[] = ['auto', 'cpu', 'cuda', 'mps']

/** The method of a run (the backbone and `pretrained` travel beside it). */
export interface EmbedTrainConfig {
  embedding_dim: number
  image_size: number
  epochs: number
  /** P: products in a batch. */
  products_per_batch: number
  /** K: images of each product in a batch. */
  images_per_product: number
  loss: EmbedLoss
  arcface_weight: number
  triplet_weight: number
  /** > 0 adds the cross-domain centroid alignment term. */
  domain_weight: number
  /** Degrees (pytorch-metric-learning's unit). */
  arcface_margin: number
  arcface_scale: number
  triplet_margin: number
  miner: TripletMiner
  /** Head and ArcFace weights; the backbone's top layer gets lr × backbone_lr_scale. */
  learning_rate: number
  backbone_lr_scale: number
  /** Layer-wise decay: layer i from the top gets × llrd^i (1 = off). */
  llrd: number
  weight_decay: number
  warmup_epochs: number
  /** Epochs without a better val Recall@1 before stopping; 0 = off. */
  patience: number
  mixed_precision: boolean
  augmentation: boolean
  seed: number
  device: EmbedDevice
  /** 0: train images ÷ (P × K), at least 1. */
  batches_per_epoch: number
}

export interface PrSplitRatios {
  train: number
  val: number
  test: number
}

export interface PrDataConfig {
  source: PrDataSource
  /** A product-recognition dataset, when `source` is "dataset". */
  dataset_id: number | null
  domains: ProductDomain[]
  /** Which video frames count; `every` is used by "interval". */
  frames: { mode: FrameSelection; every: number }
  min_images_per_product: number
  split: PrSplitRatios
  seed: number
}

export interface PrRunCreate {
  /** Left out: named after the backbone and the data. */
  name?: string
  backbone: string
  pretrained: boolean
  data: PrDataConfig
  config: Partial<EmbedTrainConfig>
}

/** One epoch's figures as the trainer reports them. */
export interface PrEpochMetrics {
  epoch: number
  loss?: number | null
  loss_arcface?: number | null
  loss_triplet?: number | null
  loss_domain?: number | null
  lr?: number | null
  backbone_lr?: number | null
  val_recall_at_1?: number | null
  val_recall_at_5?: number | null
  val_map_at_r?: number | null
  seconds?: number | null
  images_per_second?: number | null
  /** 1 when the epoch ran with mixed precision. */
  mixed_precision?: number | null
}

export interface PrSplitSummary {
  products: number
  images: number
  domains?: Partial<Record<ProductDomain, number>>
}

/** What the run froze: counts per split, and the images it could not read. */
export interface PrDataSummary {
  train?: PrSplitSummary
  val?: PrSplitSummary
  test?: PrSplitSummary
  skipped?: { image_id: number; reason: string }[]
}

export interface PrTrainingRun {
  id: number
  name: string
  backbone: string
  pretrained: boolean
  status: PrRunStatus
  config: EmbedTrainConfig
  data_config: PrDataConfig
  data_summary: PrDataSummary
  dataset_id: number | null
  current_epoch: number
  total_epochs: number
  current_batch: number
  total_batches: number
  /** 0..1 */
  progress: number
  best_epoch: number | null
  best_metrics: Partial<Omit<PrEpochMetrics, 'epoch'>> | null
  metrics_history: PrEpochMetrics[]
  error: string | null
  job_id: number | null
  created_by: number | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  /** Registered models made from this run's checkpoints. */
  model_count: number
}

export interface PrRunEnvelope {
  run: PrTrainingRun
  job?: Job | null
}

export interface PrRunResumed extends PrRunEnvelope {
  remaining_epochs: number
  checkpoint_id: number
  start_epoch: number
}

export interface PrRunListParams {
  status?: PrRunStatus | null
  limit?: number
  cursor?: string | null
}

export type PrSplit = 'train' | 'val' | 'test'
export const PR_SPLITS: readonly PrSplit[] = ['train', 'val', 'test']

/** One image of a run's frozen list. */
export interface PrTrainingImage {
  id: number
  product_image_id: number
  product_id: number
  domain: ProductDomain
  split: PrSplit
  [extra: string]: unknown
}

export interface PrBackbone {
  key: string
  title: string
  family: string
  size_mb: number
  licence: string
  /** The hub asks for a token (DINOv3). */
  gated: boolean
  /** Its weights are in the data folder's models/<key>/. */
  installed: boolean
  /** SHELFSCOPE_ML_HUB_TOKEN is set. */
  token_set: boolean
  note: string
}

export interface PrCheckpoint {
  id: number
  run_id: number
  epoch: number
  size_bytes: number
  metrics: Partial<Omit<PrEpochMetrics, 'epoch'>>
  is_best: boolean
  created_at: string
  /** Registered models that link this checkpoint. */
  model_ids: number[]
}

export interface RetrievalMetrics {
  recall_at_1?: number | null
  recall_at_5?: number | null
  recall_at_10?: number | null
  map_at_r?: number | null
  queries?: number
  skipped_queries?: number
  products?: number
}

export interface CrossDomainRow extends RetrievalMetrics {
  query_domain: ProductDomain | string
  gallery_domain: ProductDomain | string
}

export interface CategoryRow extends RetrievalMetrics {
  category: string
}

export interface Neighbour {
  image_id: number
  product_id: number
  score: number
}

export interface HardCase {
  image_id: number
  product_id: number
  domain: ProductDomain | string
  /** 1-based; null when no image of the product came back at all. */
  first_correct_rank: number | null
  neighbours: Neighbour[]
}

export interface ConfusedPair {
  product_a: number
  product_b: number
  count: number
}

export interface EvaluationReport {
  overall?: RetrievalMetrics
  cross_domain?: CrossDomainRow[]
  per_category?: CategoryRow[]
  hard_cases?: HardCase[]
  confused_pairs?: ConfusedPair[]
}

export type PrEvaluationStatus = 'queued' | 'running' | 'succeeded' | 'failed'

export interface PrEvaluation {
  id: number
  run_id: number
  checkpoint_id: number | null
  epoch: number | null
  split: string
  status: PrEvaluationStatus
  metrics: RetrievalMetrics | null
  report: EvaluationReport | null
  error: string | null
  job_id: number | null
  created_at: string
}

export interface PrEvaluationStarted {
  evaluation: PrEvaluation
  job: Job
}

export type PrModelStatus = 'ready' | 'evaluating'

export interface PrModel {
  id: number
  name: string
  description: string
  run_id: number | null
  run_name: string | null
  checkpoint_id: number | null
  epoch: number | null
  backbone: string
  embedding_dim: number
  image_size: number
  /** {"image_size", "resize", "mean", "std"}: what an extractor does to an image before the model. */
  preprocessing: Record<string, unknown>
  test_metrics: RetrievalMetrics | null
  evaluation_id: number | null
  size_bytes: number
  status: PrModelStatus
  created_by: number | null
  created_at: string
  updated_at: string
}

export interface PrModelCreate {
  checkpoint_id: number
  name: string
  description?: string
}

export interface PrModelPatch {
  name?: string
  description?: string
}

/** `GET /pr/models/compare?ids=`: the test metrics aligned, the best model of each row. */
export interface PrModelComparison {
  models: { id: number; name: string; backbone: string; embedding_dim: number; test_metrics: RetrievalMetrics | null }[]
  rows: { metric: string; values: Record<string, number | null>; best: number | null }[]
}

/** The `pr.models.compare` job's result: the same queries, each model's top 5. */
export interface PrVisualComparison {
  models: { id: number; name: string; metrics: RetrievalMetrics | null }[]
  metric_names: string[]
  /** The images every model searched: the models' shared test products, their union, or a catalogue sample. */
  gallery?: { source: string; images: number; products: number; skipped?: { image_id: number; reason: string }[] }
  queries: { image_id: number; product_id: number; results: Record<string, Neighbour[]> }[]
}
