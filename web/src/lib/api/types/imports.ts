/** Dataset archive imports (`/od/images/import/{format}`) and the `od.imports.run` job's report. */
import { isRecord } from './common'
import type { DatasetFormat } from './datasets'
import type { Job } from './jobs'

export type OnInvalid = 'fail' | 'skip'

/** Where an imported archive goes: an existing dataset, or a new one (named, or after the archive). */
export interface DatasetImportTarget {
  dataset_id?: number | null
  dataset_name?: string | null
  on_invalid?: OnInvalid | null
}

export interface ImportIssue {
  severity: 'invalid' | 'warning'
  kind: string
  message: string
  file: string | null
  line: number | null
  field: string | null
}

export interface ImportImageCounts {
  listed: number
  stored: number
  reused: number
  merged: number
  added_to_dataset: number
  already_in_dataset: number
  skipped: number
}

export interface ImportAnnotationCounts {
  read: number
  imported: number
  skipped: number
  duplicates: number
  clipped: number
  rescaled: number
}

export interface ImportClassReport {
  matched: string[]
  matched_by_alias: { label: string; class_name: string }[]
  created: string[]
  unused: string[]
}

/** Result of an `od.imports.run` job (written on a rejected import too). */
export interface ImportReport {
  outcome: 'imported' | 'rejected'
  format: DatasetFormat
  source: string
  on_invalid: OnInvalid
  dataset_id: number | null
  dataset_name: string | null
  dataset_created: boolean
  images: ImportImageCounts
  annotations: ImportAnnotationCounts
  classes: ImportClassReport
  splits: Record<string, number>
  dropped: Record<string, number>
  issue_counts: Record<string, number>
  issues: ImportIssue[]
  issues_truncated: boolean
  seconds: number
}

/** The import report in a job's result, or null when the job has none (yet). */
export function importReportOf(job: Pick<Job, 'result'> | null | undefined): ImportReport | null {
  const result: unknown = job?.result
  if (!isRecord(result) || (result.outcome !== 'imported' && result.outcome !== 'rejected')) return null
  if (!isRecord(result.images) || !isRecord(result.annotations) || !isRecord(result.classes)) return null
  return result as unknown as ImportReport
}
