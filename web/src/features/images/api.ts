/** The image library endpoints: list, facets, edit, delete, bulk actions, uploads, URL import, sync, verify. */
import {
  api,
  apiRequest,
  buildUrl,
  postForm,
  type BatchResult,
  type BulkImageRequest,
  type BulkImageResult,
  type ImageFacets,
  type ImageFilters,
  type ImageListParams,
  type ImagePatch,
  type ImageTarget,
  type JobEnvelope,
  type LibraryImage,
  type Page,
  type QueryValue,
  type SyncRequest,
  type UploadOptions,
  type UrlImportRequest,
} from '@/lib/api'

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
  /** POST /od/images (multipart `files`, `folder`, `tags`): 200 all stored/duplicate, 207 some rejected. */
  upload: (files: readonly File[], options: ImageTarget & UploadOptions = {}) => {
    const form = new FormData()
    for (const file of files) form.append('files', file, file.name)
    if (options.folder) form.append('folder', options.folder)
    if (options.tags && options.tags.length > 0) form.append('tags', options.tags.join(','))
    return postForm<BatchResult>('/od/images', form, [200, 207], options)
  },
  /** 202 with the `od.images.import_url` job; its result is a BatchResult (per-URL results). */
  importUrls: (body: UrlImportRequest) => api.post<JobEnvelope>('/od/images/import/url', body),
  sync: (body: SyncRequest) => api.post<JobEnvelope>('/od/images/sync/buybuddy', body),
  /** 202 with the `od.images.verify` job. */
  verifyStorage: (options: { regenerate_thumbnails?: boolean } = {}) =>
    api.post<JobEnvelope>('/od/images/verify', options),
  fileUrl: (id: number) => buildUrl(`/od/images/${id}/file`),
  thumbnailUrl: (id: number) => buildUrl(`/od/images/${id}/thumbnail`),
}
