/**
 * The annotation endpoints the editor calls (load, save, status, neighbours, next image) and the
 * conversion between server annotations and engine values.
 */
import { serverKey, type Annotation, type ChangeSet, type ClassInfo } from '@/editor/engine'
import { api, ApiError, type ConflictBody, type DatasetImageStatus, type ImageAnnotations, type Neighbors, type NextImage, type OdClass, type SaveResponse, type ServerAnnotation } from '@/lib/api'
import { ConflictError, RejectedError, type SaveFn } from './sync/save-controller'

const imagePath = (datasetId: number, imageId: number) => `/od/datasets/${datasetId}/images/${imageId}`

export const annotateApi = {
  load: (datasetId: number, imageId: number, signal?: AbortSignal) =>
    api.get<ImageAnnotations>(`${imagePath(datasetId, imageId)}/annotations`, undefined, signal),
  save: (datasetId: number, imageId: number, baseRevision: number, changes: ChangeSet) =>
    api.put<SaveResponse>(`${imagePath(datasetId, imageId)}/annotations`, toSaveBody(baseRevision, changes)),
  setStatus: (datasetId: number, imageId: number, status: DatasetImageStatus) =>
    api.post<{ status: DatasetImageStatus }>(`${imagePath(datasetId, imageId)}/status`, { status }),
  neighbors: (datasetId: number, imageId: number, signal?: AbortSignal) =>
    api.get<Neighbors>(`${imagePath(datasetId, imageId)}/neighbors`, undefined, signal),
  next: (datasetId: number, signal?: AbortSignal) =>
    api.get<NextImage>(`/od/datasets/${datasetId}/annotate/next`, undefined, signal),
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
    attributes: item.attributes ?? null,
    model: item.model ?? null,
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
    // Left out while unknown (a box drawn here), so an update never clears what the server holds.
    ...(a.attributes === undefined ? {} : { attributes: a.attributes }),
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

export function toClassInfo(c: Pick<OdClass, 'id' | 'name' | 'display_name' | 'color'>): ClassInfo {
  return { id: c.id, name: c.display_name || c.name, color: c.color }
}

/** The save the autosave calls: 409 becomes a ConflictError, other 4xx a RejectedError, the rest "offline". */
export function saveFor(datasetId: number, imageId: number): SaveFn {
  return async (baseRevision, changes) => {
    try {
      const out = await annotateApi.save(datasetId, imageId, baseRevision, changes)
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
