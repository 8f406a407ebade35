/** Typed functions for each API endpoint; features call these through TanStack Query. */
import { api, apiRequest, type QueryValue } from './client'
import type {
  AddImagesRequest,
  AddImagesResult,
  ApiToken,
  BulkImageRequest,
  BulkImageResult,
  ClassCategory,
  ClassChange,
  ClassChangeAction,
  ClassCreate,
  ClassDeleteOptions,
  ClassDeletePreview,
  ClassDeleteResult,
  ClassListParams,
  ClassUpdate,
  Dataset,
  DatasetCreate,
  DatasetImage,
  DatasetImageListParams,
  DatasetImagePatch,
  DatasetListParams,
  DatasetStats,
  DatasetUpdate,
  DatasetFormat,
  DatasetVersion,
  ExportRequest,
  VersionCreate,
  VersionCreated,
  ImageFilters,
  ImageListParams,
  ImagePatch,
  ImageFacets,
  LibraryImage,
  MergePreview,
  MergeRequest,
  MergeResult,
  OdClass,
  RemoveImagesResult,
  SyncRequest,
  UrlImportRequest,
  CreatedApiToken,
  Health,
  Job,
  JobEnvelope,
  JobListParams,
  JobLogPage,
  JobMetricList,
  LoginRequest,
  OdStats,
  Page,
  Session,
  SetupLinkInfo,
  SetupRequest,
} from './types'

export const authApi = {
  /** The signed-in person; 401 is left to the caller (no redirect). */
  me: (signal?: AbortSignal) => apiRequest<Session>('/auth/me', { signal, skipAuthRedirect: true }),
  login: (body: LoginRequest) => api.post<Session>('/auth/login', body, { skipAuthRedirect: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { skipAuthRedirect: true }),
  setupInfo: (token: string, signal?: AbortSignal) =>
    apiRequest<SetupLinkInfo>('/auth/setup', { query: { token }, signal, skipAuthRedirect: true }),
  setup: (body: SetupRequest) => api.post<Session>('/auth/setup', body, { skipAuthRedirect: true }),
  listTokens: (signal?: AbortSignal) => api.get<{ items: ApiToken[] }>('/auth/tokens', undefined, signal),
  createToken: (name: string) => api.post<CreatedApiToken>('/auth/tokens', { name }),
  revokeToken: (id: number) => api.delete(`/auth/tokens/${id}`),
}

export const systemApi = {
  health: (signal?: AbortSignal) => api.get<Health>('/od/health', undefined, signal),
}

export const odApi = {
  stats: (signal?: AbortSignal) => api.get<OdStats>('/od/stats', undefined, signal),
  verifyStorage: (options: { regenerate_thumbnails?: boolean } = {}) =>
    api.post<JobEnvelope>('/od/images/verify', options),
}

export const jobsApi = {
  list: (params: JobListParams = {}, signal?: AbortSignal) =>
    api.get<Page<Job>>(
      '/jobs',
      { limit: params.limit, cursor: params.cursor, status: params.status, kind: params.kind },
      signal,
    ),
  get: (id: number, signal?: AbortSignal) => api.get<Job>(`/jobs/${id}`, undefined, signal),
  cancel: (id: number) => api.post<JobEnvelope>(`/jobs/${id}/cancel`),
  logs: (id: number, params: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    api.get<JobLogPage>(`/jobs/${id}/logs`, { limit: params.limit, cursor: params.cursor }, signal),
  metrics: (id: number, signal?: AbortSignal) => api.get<JobMetricList>(`/jobs/${id}/metrics`, undefined, signal),
  streamUrl: (id: number) => `/api/v1/jobs/${id}/stream`,
}

/** Library filters as query parameters (tags comma-joined; the API also accepts them repeated). */
export function imageFilterQuery(filters: ImageFilters): Record<string, QueryValue> {
  return {
    source: filters.source,
    folder: filters.folder,
    folder_prefix: filters.folder_prefix ? true : undefined,
    tags: filters.tags && filters.tags.length > 0 ? filters.tags.join(',') : undefined,
    dataset_id: filters.dataset_id,
    not_in_dataset_id: filters.not_in_dataset_id,
    has_annotations: filters.has_annotations,
    q: filters.q,
  }
}

export const imagesApi = {
  list: (params: ImageListParams = {}, signal?: AbortSignal) =>
    api.get<Page<LibraryImage>>(
      '/od/images',
      {
        ...imageFilterQuery(params),
        limit: params.limit,
        cursor: params.cursor,
        sort: params.sort,
        order: params.order,
        with_total: params.with_total,
      },
      signal,
    ),
  get: (id: number, signal?: AbortSignal) => api.get<LibraryImage>(`/od/images/${id}`, undefined, signal),
  facets: (signal?: AbortSignal) => api.get<ImageFacets>('/od/images/facets', undefined, signal),
  update: (id: number, body: ImagePatch) => api.patch<LibraryImage>(`/od/images/${id}`, body),
  /** 409 (ImageInUse extras) when annotated and not forced. */
  remove: (id: number, force = false) =>
    apiRequest<void>(`/od/images/${id}`, { method: 'DELETE', query: { force: force ? true : undefined } }),
  bulk: (body: BulkImageRequest) => api.post<BulkImageResult>('/od/images/bulk', body),
  /** 202 with the `od.images.import_url` job; its result is a BatchResult (per-URL results). */
  importUrls: (body: UrlImportRequest) => api.post<JobEnvelope>('/od/images/import/url', body),
  sync: (body: SyncRequest) => api.post<JobEnvelope>('/od/images/sync/buybuddy', body),
  fileUrl: (id: number) => `/api/v1/od/images/${id}/file`,
  thumbnailUrl: (id: number) => `/api/v1/od/images/${id}/thumbnail`,
}

export const classesApi = {
  list: (params: ClassListParams = {}, signal?: AbortSignal) =>
    api.get<Page<OdClass>>(
      '/od/classes',
      {
        category: params.category,
        q: params.q,
        dataset_id: params.dataset_id,
        limit: params.limit,
        cursor: params.cursor,
      },
      signal,
    ),
  categories: (signal?: AbortSignal) => api.get<ClassCategory[]>('/od/classes/categories', undefined, signal),
  get: (id: number, signal?: AbortSignal) => api.get<OdClass>(`/od/classes/${id}`, undefined, signal),
  create: (body: ClassCreate) => api.post<OdClass>('/od/classes', body),
  update: (id: number, body: ClassUpdate) => api.patch<OdClass>(`/od/classes/${id}`, body),
  deletePreview: (id: number, signal?: AbortSignal) =>
    api.get<ClassDeletePreview>(`/od/classes/${id}/delete-preview`, undefined, signal),
  /** 409 with the counts when annotations use the class and no option is given. */
  remove: (id: number, options: ClassDeleteOptions = {}) =>
    apiRequest<ClassDeleteResult>(`/od/classes/${id}`, {
      method: 'DELETE',
      query: { annotations: options.annotations, reassign_to: options.reassign_to },
    }),
  mergePreview: (body: MergeRequest, signal?: AbortSignal) =>
    api.post<MergePreview>('/od/classes/merge/preview', body, { signal }),
  merge: (body: MergeRequest) => api.post<MergeResult>('/od/classes/merge', body),
  history: (id: number, params: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    api.get<Page<ClassChange>>(`/od/classes/${id}/history`, { limit: params.limit, cursor: params.cursor }, signal),
  changes: (
    params: { action?: ClassChangeAction | null; limit?: number; cursor?: string | null } = {},
    signal?: AbortSignal,
  ) =>
    api.get<Page<ClassChange>>(
      '/od/classes/changes',
      { action: params.action, limit: params.limit, cursor: params.cursor },
      signal,
    ),
}

export const datasetsApi = {
  list: (params: DatasetListParams = {}, signal?: AbortSignal) =>
    api.get<Page<Dataset>>('/od/datasets', { q: params.q, limit: params.limit, cursor: params.cursor }, signal),
  get: (id: number, signal?: AbortSignal) => api.get<Dataset>(`/od/datasets/${id}`, undefined, signal),
  create: (body: DatasetCreate) => api.post<Dataset>('/od/datasets', body),
  update: (id: number, body: DatasetUpdate) => api.patch<Dataset>(`/od/datasets/${id}`, body),
  remove: (id: number) => api.delete(`/od/datasets/${id}`),
  stats: (id: number, signal?: AbortSignal) => api.get<DatasetStats>(`/od/datasets/${id}/stats`, undefined, signal),
  images: (id: number, params: DatasetImageListParams = {}, signal?: AbortSignal) =>
    api.get<Page<DatasetImage>>(
      `/od/datasets/${id}/images`,
      {
        // One status at a time here; the API also takes it repeated.
        status: params.status?.[0],
        split: params.split,
        limit: params.limit,
        cursor: params.cursor,
      },
      signal,
    ),
  addImages: (id: number, body: AddImagesRequest) => api.post<AddImagesResult>(`/od/datasets/${id}/images`, body),
  removeImages: (id: number, imageIds: number[]) =>
    api.post<RemoveImagesResult>(`/od/datasets/${id}/images/remove`, { image_ids: imageIds }),
  updateImage: (id: number, imageId: number, body: DatasetImagePatch) =>
    api.patch<DatasetImage>(`/od/datasets/${id}/images/${imageId}`, body),
}

export const versionsApi = {
  /** Newest first. */
  list: (datasetId: number, params: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    api.get<Page<DatasetVersion>>(
      `/od/datasets/${datasetId}/versions`,
      { limit: params.limit, cursor: params.cursor },
      signal,
    ),
  get: (datasetId: number, number: number, signal?: AbortSignal) =>
    api.get<DatasetVersion>(`/od/datasets/${datasetId}/versions/${number}`, undefined, signal),
  /** 202: the build job and the version (status `building`). */
  create: (datasetId: number, body: VersionCreate) =>
    api.post<VersionCreated>(`/od/datasets/${datasetId}/versions`, body),
}

export const exportsApi = {
  /** 202 with the `od.export` job; `body.version` picks a version, absent the dataset as it is now. */
  start: (datasetId: number, format: DatasetFormat, body: ExportRequest) =>
    api.post<JobEnvelope>(`/od/datasets/${datasetId}/export/${format}`, body),
  /** Quick export of a version with the default options; 409 while the version is not ready. */
  startVersion: (datasetId: number, number: number, format: DatasetFormat, body?: Partial<ExportRequest>) =>
    api.post<JobEnvelope>(`/od/datasets/${datasetId}/versions/${number}/export/${format}`, body),
  /** The finished export's zip (a plain link: the browser downloads it with the session cookie). */
  downloadUrl: (jobId: number) => `/api/v1/od/export/${jobId}/download`,
}
