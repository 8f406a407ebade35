/** Value types shared by every engine module. Coordinates are image pixels unless named `screen`. */

export type AnnotationKind = 'bbox' | 'polygon'
export type AnnotationSource = 'manual' | 'ai' | 'import'
export type ReviewState = 'none' | 'pending' | 'accepted' | 'rejected'

/** A JSON value as the API stores it in an annotation's `attributes`. */
export type AttributeValue = string | number | boolean | null | readonly AttributeValue[] | { readonly [key: string]: AttributeValue }

/** Free-form key/value data on an annotation (VOC `difficult`, `truncated`, `occluded`, `pose`, ...). */
export type Attributes = Readonly<Record<string, AttributeValue>>

export interface Point {
  x: number
  y: number
}

/** An axis-aligned box, always ordered (x1 <= x2, y1 <= y2). */
export interface Box {
  x1: number
  y1: number
  x2: number
  y2: number
}

/**
 * One annotation as the editor holds it. `key` is the stable identity inside the session (a
 * client id for new boxes, `srv-<id>` for boxes loaded from the server); `id` is the server id
 * once known.
 */
export interface Annotation extends Box {
  key: string
  id: number | null
  classId: number
  kind: AnnotationKind
  /** Polygon vertices in image pixels; null for a box. The box fields hold its bounds. */
  points: Point[] | null
  source: AnnotationSource
  confidence: number | null
  reviewState: ReviewState
  /** Unknown (undefined) on boxes drawn here until set; null or a map once loaded from the server. */
  attributes?: Attributes | null
  /** The model key of an AI prediction; read-only here (never sent back). */
  model?: string | null
}

/** The fields a command may change on an existing annotation. */
export type AnnotationPatch = Partial<Pick<Annotation, 'x1' | 'y1' | 'x2' | 'y2' | 'classId' | 'points' | 'reviewState' | 'attributes'>>

export interface ClassInfo {
  id: number
  name: string
  color: string
}

export interface ImageSize {
  width: number
  height: number
}

/** What a save sends: the difference between the last saved state and the working copy. */
export interface ChangeSet {
  created: Annotation[]
  updated: Annotation[]
  deleted: number[]
}

export function isEmptyChangeSet(changes: ChangeSet): boolean {
  return changes.created.length === 0 && changes.updated.length === 0 && changes.deleted.length === 0
}

export type HandleId = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w'

export const HANDLES: readonly HandleId[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w']

export type ToolId = 'select' | 'draw' | 'polygon' | 'segment' | 'pan'

/** One vertex of one polygon, e.g. the vertex the select tool last clicked. */
export interface VertexRef {
  key: string
  index: number
}

/** A polygon being drawn: its placed vertices and where the pointer is. */
export interface PolygonDraft {
  points: readonly Point[]
  cursor: Point | null
  classId: number
  /** The pointer is on the first vertex and a click would close the polygon. */
  closing: boolean
}
