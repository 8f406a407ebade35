/** Dataset versions: frozen, split snapshots (`/od/datasets/{id}/versions`). */
import type { JsonObject } from './common'
import type { DatasetImageStatus, SplitRatios } from './datasets'
import type { Job } from './jobs'

export type VersionStatus = 'building' | 'ready' | 'failed'

export interface VersionSplitConfig {
  ratios: SplitRatios
  seed: number
  stratified: boolean
  keep_assigned: boolean
}

export interface VersionCreate {
  name: string
  description: string
  split: VersionSplitConfig
  include_statuses?: DatasetImageStatus[]
  include_unannotated?: boolean
}

export interface VersionCounts {
  images: Record<string, number>
  annotations: Record<string, number>
  /** Annotations per class name. */
  classes: Record<string, number>
  total_images: number
  total_annotations: number
  error: string | null
}

export interface DatasetVersion {
  id: number
  dataset_id: number
  number: number
  name: string
  description: string
  status: VersionStatus
  class_mapping: { index: number; class_id: number; name: string }[]
  split_config: JsonObject
  counts: VersionCounts
  job_id: number | null
  created_by: number | null
  created_at: string
}

export interface VersionCreated {
  job: Job
  version: DatasetVersion
}
