/** The dataset endpoints: datasets, their images and stats, versions and exports. */
import {
  api,
  buildUrl,
  type AddImagesRequest,
  type AddImagesResult,
  type BulkImagesResult,
  type Dataset,
  type DatasetCreate,
  type DatasetFormat,
  type DatasetImage,
  type DatasetImageListParams,
  type DatasetImagePatch,
  type DatasetListParams,
  type DatasetStats,
  type DatasetUpdate,
  type DatasetVersion,
  type ExportRequest,
  type JobEnvelope,
  type LabelSet,
  type Page,
  type RemoveImagesResult,
  type VersionCreate,
  type VersionCreated,
} from '@/lib/api'

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
        q: params.q || undefined,
        with_boxes: params.withBoxes ? 1 : undefined,
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
  labelSet: (id: number, signal?: AbortSignal) => api.get<LabelSet>(`/od/datasets/${id}/classes`, undefined, signal),
  /** Replaces the stored order with these classes. */
  setLabelSet: (id: number, classIds: number[]) => api.put<LabelSet>(`/od/datasets/${id}/classes`, { class_ids: classIds }),
  /** Status and/or split of several images at once. */
  bulkUpdate: (id: number, imageIds: number[], body: DatasetImagePatch) =>
    api.post<BulkImagesResult>(`/od/datasets/${id}/images/bulk`, { image_ids: imageIds, ...body }),
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
  /** 202 with the `od.exports.run` job; `body.version` picks a version, absent the dataset as it is now. */
  start: (datasetId: number, format: DatasetFormat, body: ExportRequest) =>
    api.post<JobEnvelope>(`/od/datasets/${datasetId}/export/${format}`, body),
  /** Quick export of a version with the default options; 409 while the version is not ready. */
  startVersion: (datasetId: number, number: number, format: DatasetFormat, body?: Partial<ExportRequest>) =>
    api.post<JobEnvelope>(`/od/datasets/${datasetId}/versions/${number}/export/${format}`, body),
  /** The finished export's zip (a plain link: the browser downloads it with the session cookie). */
  downloadUrl: (jobId: number) => buildUrl(`/od/export/${jobId}/download`),
}
