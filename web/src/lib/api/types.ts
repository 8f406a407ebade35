/** TypeScript shapes of the Shelfscope HTTP API (base /api/v1). */

export type ErrorKind =
  | 'ValidationFailed'
  | 'NotFound'
  | 'Conflict'
  | 'Unauthorized'
  | 'Forbidden'
  | 'PayloadTooLarge'
  | 'UnsupportedMedia'
  | 'RateLimited'
  | 'Internal'

export interface FieldError {
  field: string
  message: string
}

/** The one error body every endpoint returns, plus kind-specific extras. */
export interface ErrorBody {
  error: ErrorKind | string
  detail: string
  fields?: FieldError[]
  [extra: string]: unknown
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
  total: number | null
}

// ---- auth -------------------------------------------------------------------

export type Role = 'admin' | 'annotator' | 'viewer'

export interface User {
  id: number
  username: string
  display_name: string | null
  role: Role
  is_active?: boolean
  last_login_at?: string | null
  created_at?: string
}

export interface Session {
  user: User
  csrf_token: string
}

export interface LoginRequest {
  username: string
  password: string
}

export type SetupPurpose = 'first_admin' | 'set_password'

export interface SetupLinkInfo {
  purpose: SetupPurpose
  username: string | null
}

export interface SetupRequest {
  token: string
  username?: string
  password: string
}

export interface ApiToken {
  id: number
  name: string
  prefix: string
  created_at: string
  last_used_at: string | null
  expires_at: string | null
}

export interface CreatedApiToken {
  token: ApiToken
  /** Shown once, never retrievable again. */
  secret: string
}

// ---- system -----------------------------------------------------------------

export interface HealthCheck {
  ok: boolean
  latency_ms?: number
  detail?: string | null
}

export interface Health {
  status: 'ok' | 'degraded'
  version: string
  checks: {
    database: HealthCheck
    storage: HealthCheck & { backend: string }
    jobs: HealthCheck & { runner: string; workers: number }
  }
}

export interface OdStats {
  images: number
  datasets: number
  annotations: number
  classes: number
  models: number
  jobs_running: number
}

// ---- jobs -------------------------------------------------------------------

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled']

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export interface Job {
  id: number
  kind: string
  status: JobStatus
  /** 0..1 */
  progress: number
  stage: string | null
  payload: JsonObject
  result: JsonObject | null
  error: string | null
  attempt: number
  cancel_requested: boolean
  runner: string
  created_at: string
  started_at: string | null
  finished_at: string | null
  heartbeat_at: string | null
  created_by: number | null
}

export interface JobEnvelope {
  job: Job
}

export interface JobListParams {
  limit?: number
  cursor?: string | null
  status?: JobStatus | null
  kind?: string | null
}

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | string

export interface JobLog {
  id: number
  at: string
  level: LogLevel
  message: string
}

export interface JobLogPage {
  items: JobLog[]
  next_cursor: string | null
  total?: number | null
}

export interface JobMetric {
  id: number
  at: string
  name: string
  value: number
  step: number | null
}

export interface JobMetricList {
  items: JobMetric[]
}

/** Result of a `storage.verify` job. */
export interface StorageVerifyResult {
  checked: number
  ok: number
  missing: number
  hash_mismatch: number
  thumbnails_rebuilt: number
}

export function isActiveJob(job: Pick<Job, 'status'>): boolean {
  return job.status === 'queued' || job.status === 'running'
}

// ---- od: image library --------------------------------------------------------

export type ImageSource = 'upload' | 'url' | 'sync' | 'import'
export const IMAGE_SOURCES: readonly ImageSource[] = ['upload', 'url', 'sync', 'import']
export type ImageSortField = 'created_at' | 'filename' | 'size'
export type SortOrder = 'asc' | 'desc'

/** Folders and tags in use, most used first: `GET /od/images/facets`. */
export interface FacetCount {
  value: string
  images: number
}
export interface ImageFacets {
  folders: FacetCount[]
  tags: FacetCount[]
}

export interface LibraryImage {
  id: number
  filename: string
  width: number
  height: number
  format: string
  size_bytes: number
  content_hash: string
  source: ImageSource
  source_id: string | null
  folder: string | null
  tags: string[]
  created_by: number | null
  created_at: string
  updated_at: string
  file_url: string
  thumbnail_url: string
}

/** Which library images to take (list, bulk actions, "add to dataset by filter"). All must hold. */
export interface ImageFilters {
  source?: ImageSource | null
  folder?: string | null
  folder_prefix?: boolean
  tags?: string[]
  dataset_id?: number | null
  not_in_dataset_id?: number | null
  has_annotations?: boolean | null
  q?: string | null
}

export interface ImageListParams extends ImageFilters {
  limit?: number
  cursor?: string | null
  sort?: ImageSortField
  order?: SortOrder
  with_total?: boolean
}

export type IngestStatus = 'stored' | 'duplicate' | 'rejected'

export interface IngestItemResult {
  filename: string
  url?: string | null
  status: IngestStatus
  image: LibraryImage | null
  error: ErrorBody | null
}

export interface BatchResult {
  results: IngestItemResult[]
  stored: number
  duplicate: number
  rejected: number
}

export interface ImageTarget {
  folder?: string | null
  tags?: string[]
}

export interface ImagePatch {
  folder?: string | null
  tags?: string[]
}

export interface UrlImportRequest extends ImageTarget {
  urls: string[]
}

export interface SyncRequest extends ImageTarget {
  date_from?: string | null
  date_to?: string | null
  store_id?: string | null
  merchant_id?: string | null
}

export type BulkImageAction = 'tag' | 'untag' | 'set_folder' | 'delete'

export interface BulkImageRequest {
  ids?: number[]
  filter?: ImageFilters
  action: BulkImageAction
  tags?: string[]
  folder?: string | null
  force?: boolean
}

export interface BulkImageResult {
  action: BulkImageAction
  matched: number
  changed: number
  skipped: number
  skipped_reasons: Record<string, number>
}

/** Extra fields of the 409 when deleting an annotated image. */
export interface ImageInUse {
  image_id: number
  annotations?: number
  datasets?: { dataset_id: number; name: string; annotations: number }[]
  versions?: { version_id: number; dataset_id: number; dataset_name: string; number: number; name: string }[]
}

// ---- od: classes -----------------------------------------------------------------

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

// ---- od: datasets ----------------------------------------------------------------

export type AnnotationType = 'bbox' | 'polygon'
export type DatasetImageStatus = 'new' | 'in_progress' | 'completed' | 'skipped'
export const DATASET_IMAGE_STATUSES: readonly DatasetImageStatus[] = ['new', 'in_progress', 'completed', 'skipped']
export type DatasetSplit = 'train' | 'val' | 'test'

export type StatusCounts = Record<DatasetImageStatus, number>

export interface Dataset {
  id: number
  name: string
  description: string
  annotation_type: AnnotationType
  created_by: number | null
  created_at: string
  updated_at: string
  image_count: number
  annotation_count: number
  status_counts: StatusCounts
  /** 0..1 */
  progress: number
}

export interface DatasetCreate {
  name: string
  description?: string
  annotation_type: AnnotationType
}

export type DatasetUpdate = Partial<DatasetCreate>

export interface DatasetListParams {
  q?: string | null
  limit?: number
  cursor?: string | null
}

export interface DatasetImageInfo {
  id: number
  filename: string
  width: number
  height: number
  format: string
  size_bytes: number
  folder: string | null
  file_url: string
  thumbnail_url: string
}

export interface DatasetImage {
  id: number
  dataset_id: number
  /** The library image id (routes use this one). */
  image_id: number
  image: DatasetImageInfo
  status: DatasetImageStatus
  split: DatasetSplit | null
  annotation_count: number
  revision: number
  assigned_to: number | null
  added_at: string
  updated_at: string
}

export interface DatasetImageListParams {
  status?: DatasetImageStatus[]
  split?: DatasetSplit | 'none' | null
  limit?: number
  cursor?: string | null
}

export type AddImagesRequest = { image_ids: number[] } | { filter: ImageFilters }

export interface AddImagesResult {
  added: number
  already_present: number
}

export interface RemoveImagesResult {
  removed: number
  not_present: number
  annotations_removed: number
}

export interface DatasetImagePatch {
  status?: DatasetImageStatus
  split?: DatasetSplit | null
}

export interface DatasetClassCount {
  class_id: number
  name: string
  display_name: string
  color: string
  annotations: number
  images: number
}

export interface ClassDistributionPoint {
  class_id: number
  label: string
  color: string
  value: number
  percent: number
}

export interface DatasetStats {
  dataset_id: number
  image_count: number
  images_by_status: StatusCounts
  progress: number
  annotation_count: number
  annotations_by_class: DatasetClassCount[]
  class_distribution: ClassDistributionPoint[]
  splits: { train: number; val: number; test: number; unassigned: number }
}

// ---- od: dataset import, export and versions ------------------------------------

export type DatasetFormat = 'coco' | 'yolo' | 'voc'
export const DATASET_FORMATS: readonly DatasetFormat[] = ['coco', 'yolo', 'voc']
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

/** Result of an `od.import` job (written on a rejected import too). */
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

export interface SplitRatios {
  train: number
  val: number
  test: number
}

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

/** Result of an `od.export` job. */
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The import report in a job's result, or null when the job has none (yet). */
export function importReportOf(job: Pick<Job, 'result'> | null | undefined): ImportReport | null {
  const result: unknown = job?.result
  if (!isRecord(result) || (result.outcome !== 'imported' && result.outcome !== 'rejected')) return null
  if (!isRecord(result.images) || !isRecord(result.annotations) || !isRecord(result.classes)) return null
  return result as unknown as ImportReport
}

/** The export result in a job's result, or null when the job has none (yet). */
export function exportResultOf(job: Pick<Job, 'result'> | null | undefined): ExportResult | null {
  const result: unknown = job?.result
  if (!isRecord(result) || typeof result.filename !== 'string' || typeof result.size_bytes !== 'number') return null
  return result as unknown as ExportResult
}
