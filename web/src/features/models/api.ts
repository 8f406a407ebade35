/** The model registry endpoints: list, detail, edit, default, test inference, export, download, compare. */
import {
  api,
  apiRequest,
  buildUrl,
  postForm,
  type ExportFormat,
  type InferenceResult,
  type ModelComparison,
  type ModelExportStarted,
  type ModelListParams,
  type ModelPatch,
  type Page,
  type TrainedModel,
} from '@/lib/api'

/** What to run a test inference on: an uploaded file or a library image. */
export type InferenceInput = { file: File } | { imageId: number }

/** The server returns every box above this; the slider filters the rest in the browser. */
export const INFERENCE_FLOOR = 0.05

export const modelsApi = {
  list: (params: ModelListParams = {}, signal?: AbortSignal) =>
    api.get<Page<TrainedModel>>(
      '/od/models',
      {
        architecture: params.architecture,
        family: params.family,
        active: params.active,
        limit: params.limit,
        cursor: params.cursor,
      },
      signal,
    ),
  get: (id: number, signal?: AbortSignal) => api.get<TrainedModel>(`/od/models/${id}`, undefined, signal),
  update: (id: number, body: ModelPatch) => api.patch<TrainedModel>(`/od/models/${id}`, body),
  /** 409 when it is the annotation default. */
  remove: (id: number) => apiRequest<void>(`/od/models/${id}`, { method: 'DELETE' }),
  setDefault: (id: number) => api.post<TrainedModel>(`/od/models/${id}/set-default`),
  infer: (id: number, input: InferenceInput, signal?: AbortSignal): Promise<InferenceResult> => {
    if ('file' in input) {
      const form = new FormData()
      form.append('file', input.file)
      form.append('threshold', String(INFERENCE_FLOOR))
      return postForm<InferenceResult>(`/od/models/${id}/inference`, form, [200], { signal })
    }
    return api.post<InferenceResult>(`/od/models/${id}/inference`, { image_id: input.imageId, threshold: INFERENCE_FLOOR }, { signal })
  },
  /** 202 with the export job. */
  export: (id: number, format: ExportFormat) => api.post<ModelExportStarted>(`/od/models/${id}/export`, { format }),
  /** A plain link: the browser downloads it with the session cookie. */
  downloadUrl: (id: number, format: 'pytorch' | 'onnx' = 'pytorch') => buildUrl(`/od/models/${id}/download`, { format }),
  compare: (ids: readonly number[], signal?: AbortSignal) =>
    api.get<ModelComparison>('/od/models/compare', { ids: ids.join(',') }, signal),
}
