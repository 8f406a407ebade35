/** Object-detection classes, their merges, deletes and change history (`/od/classes`). */
import type { JsonObject } from './common'

export interface OdClass {
  id: number
  name: string
  display_name: string
  color: string
  category: string | null
  description: string
  aliases: string[]
  annotation_count: number
  created_at: string
  updated_at: string
}

export interface ClassCreate {
  name: string
  display_name?: string
  color?: string | null
  category?: string | null
  description?: string
  aliases?: string[]
}

export type ClassUpdate = Partial<Omit<ClassCreate, 'color'>> & { color?: string }

export interface ClassListParams {
  category?: string | null
  q?: string | null
  dataset_id?: number | null
  limit?: number
  cursor?: string | null
}

export interface ClassCategory {
  category: string
  classes: number
}

export interface DatasetImpact {
  dataset_id: number
  dataset_name: string
  annotations: number
  images: number
}

export interface ClassImpact {
  id: number
  name: string
  annotations: number
}

export interface MergeRequest {
  source_ids: number[]
  target_id: number
}

export interface MergePreview {
  target: ClassImpact
  sources: ClassImpact[]
  annotations: number
  images: number
  datasets: DatasetImpact[]
  aliases_added: string[]
}

export interface MergeResult {
  target: OdClass
  merged: ClassImpact[]
  annotations_moved: number
  images: number
}

export interface ClassDeletePreview {
  id: number
  name: string
  annotations: number
  images: number
  datasets: DatasetImpact[]
}

export interface ClassDeleteOptions {
  annotations?: 'delete'
  reassign_to?: number
}

export interface ClassDeleteResult {
  id: number
  name: string
  annotations_deleted: number
  annotations_reassigned: number
  reassigned_to: number | null
  images: number
}

export type ClassChangeAction = 'create' | 'update' | 'rename' | 'merge' | 'delete'

export interface ClassChange {
  id: number
  class_id: number | null
  class_name: string
  action: ClassChangeAction
  before: JsonObject | null
  after: JsonObject | null
  user_id: number | null
  username: string | null
  at: string
}
