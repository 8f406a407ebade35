/** The class endpoints: list, categories, create, edit, merge, delete (with previews) and change history. */
import {
  api,
  apiRequest,
  type ClassCategory,
  type ClassChange,
  type ClassChangeAction,
  type ClassCreate,
  type ClassDeleteOptions,
  type ClassDeletePreview,
  type ClassDeleteResult,
  type ClassListParams,
  type ClassUpdate,
  type MergePreview,
  type MergeRequest,
  type MergeResult,
  type OdClass,
  type Page,
} from '@/lib/api'

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
