/**
 * The editor's side of the annotation API: response shapes, typed calls through the app's API
 * client, query keys (under the app's one factory), and conversion to and from engine values.
 */
import { api, ApiError, queryKeys } from '@/lib/api'
import type { Annotation, AnnotationKind, AnnotationSource, ChangeSet, ReviewState } from '../engine/types'
import { serverKey } from '../engine/document'
import { ConflictError, RejectedError, type SaveFn } from '../sync/save-controller'

export type ImageStatus = 'new' | 'in_progress' | 'completed' | 'skipped'

export interface ServerAnnotation {
  id: number
  class_id: number
  kind: AnnotationKind
  x1: number
  y1: number
  x2: number
  y2: number
  points: number[][] | null
  source: AnnotationSource
  confidence: number | null
  review_state: ReviewState
}

export interface ImageAnnotations {
  dataset_id: number
  image: { id: number; filename: string; width: number; height: number; file_url: string; thumbnail_url: string }
  dataset_image: { dataset_image_id: number; status: ImageStatus; revision: number; annotation_count: number; split: string | null }
  items: ServerAnnotation[]
}

export interface SaveResponse {
  revision: number
  status: ImageStatus
  annotation_count: number
  id_map: Record<string, number>
}

export interface ConflictBody {
  error: string
  detail: string
  current?: { revision: number; items: ServerAnnotation[] }
}

export interface Neighbors {
  image_id: number
  index: number
  total: number
  prev_image_id: number | null
  next_image_id: number | null
  next_unannotated_image_id: number | null
}

export interface NextImage {
  image_id: number | null
  status: ImageStatus | null
  remaining: number
  total: number
}

export interface ClassItem {
  id: number
  name: string
  display_name: string
  color: string
}

export interface DatasetSummary {
  id: number
  name: string
  description: string
  image_count: number
  annotation_count: number
  status_counts: Partial<Record<ImageStatus, number>>
  progress: number
}

interface ListPage<T> {
  items: T[]
  next_cursor: string | null
}

/** Keys for the editor's queries, under the app's one factory. */
export const editorKeys = {
  all: () => [...queryKeys.od.all(), 'editor'] as const,
  image: (datasetId: number, imageId: number) => [...editorKeys.all(), 'image', datasetId, imageId] as const,
  neighbors: (datasetId: number, imageId: number) => [...editorKeys.all(), 'neighbors', datasetId, imageId] as const,
  classes: () => [...editorKeys.all(), 'classes'] as const,
  datasets: () => [...editorKeys.all(), 'datasets'] as const,
  next: (datasetId: number) => [...editorKeys.all(), 'next', datasetId] as const,
}

const imagePath = (datasetId: number, imageId: number) => `/od/datasets/${datasetId}/images/${imageId}`

export const editorApi = {
  load: (datasetId: number, imageId: number, signal?: AbortSignal) =>
    api.get<ImageAnnotations>(`${imagePath(datasetId, imageId)}/annotations`, undefined, signal),
  save: (datasetId: number, imageId: number, baseRevision: number, changes: ChangeSet) =>
    api.put<SaveResponse>(`${imagePath(datasetId, imageId)}/annotations`, toSaveBody(baseRevision, changes)),
  setStatus: (datasetId: number, imageId: number, status: ImageStatus) =>
    api.post<{ status: ImageStatus }>(`${imagePath(datasetId, imageId)}/status`, { status }),
  neighbors: (datasetId: number, imageId: number, signal?: AbortSignal) =>
    api.get<Neighbors>(`${imagePath(datasetId, imageId)}/neighbors`, undefined, signal),
  next: (datasetId: number, signal?: AbortSignal) => api.get<NextImage>(`/od/datasets/${datasetId}/annotate/next`, undefined, signal),
  classes: async (signal?: AbortSignal): Promise<ClassItem[]> => {
    const items: ClassItem[] = []
    let cursor: string | null = null
    do {
      const page: ListPage<ClassItem> = await api.get<ListPage<ClassItem>>('/od/classes', { cursor }, signal)
      items.push(...page.items)
      cursor = page.next_cursor
    } while (cursor)
    return items
  },
  datasets: async (signal?: AbortSignal): Promise<DatasetSummary[]> => {
    const items: DatasetSummary[] = []
    let cursor: string | null = null
    do {
      const page: ListPage<DatasetSummary> = await api.get<ListPage<DatasetSummary>>('/od/datasets', { cursor, limit: 100 }, signal)
      items.push(...page.items)
      cursor = page.next_cursor
    } while (cursor)
    return items
  },
}

export function fromServer(item: ServerAnnotation): Annotation {
  return {
    key: serverKey(item.id),
    id: item.id,
    classId: item.class_id,
    kind: item.kind,
    x1: item.x1,
    y1: item.y1,
    x2: item.x2,
    y2: item.y2,
    points: item.points ? item.points.map(([x = 0, y = 0]) => ({ x, y })) : null,
    source: item.source,
    confidence: item.confidence,
    reviewState: item.review_state,
  }
}

function fields(a: Annotation) {
  return {
    class_id: a.classId,
    kind: a.kind,
    x1: a.x1,
    y1: a.y1,
    x2: a.x2,
    y2: a.y2,
    points: a.kind === 'polygon' && a.points ? a.points.map((p) => [p.x, p.y]) : null,
    source: a.source,
    confidence: a.confidence,
    review_state: a.reviewState,
  }
}

export function toSaveBody(baseRevision: number, changes: ChangeSet) {
  return {
    base_revision: baseRevision,
    created: changes.created.map((a) => ({ client_id: a.key, ...fields(a) })),
    updated: changes.updated.filter((a) => a.id !== null).map((a) => ({ id: a.id, ...fields(a) })),
    deleted: changes.deleted,
    return_items: false,
  }
}

/** The save the autosave calls: 409 becomes a ConflictError, other 4xx a RejectedError, the rest "offline". */
export function saveFor(datasetId: number, imageId: number): SaveFn {
  return async (baseRevision, changes) => {
    try {
      const out = await editorApi.save(datasetId, imageId, baseRevision, changes)
      return { revision: out.revision, idMap: out.id_map }
    } catch (error) {
      if (error instanceof ApiError) {
        if (error.status === 409) {
          const current = (error.body as ConflictBody | null)?.current
          if (current) throw new ConflictError({ revision: current.revision, items: current.items.map(fromServer) }, error.detail)
        }
        if (error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
          throw new RejectedError(error.detail)
        }
      }
      throw error
    }
  }
}
