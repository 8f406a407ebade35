/** The library's filters, sort and view live in the URL so a filtered view can be shared and reloaded. */
import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router'
import {
  IMAGE_SOURCES,
  type ImageFilters,
  type ImageSortField,
  type ImageSource,
  type SortOrder,
} from '@/lib/api'

export type LibraryView = 'grid' | 'table'

export interface LibraryState {
  filters: ImageFilters
  sort: ImageSortField
  order: SortOrder
  view: LibraryView
  limit: number
}

export const PAGE_SIZES = [24, 48, 96] as const
const SORTS: readonly ImageSortField[] = ['created_at', 'filename', 'size']

/** "Promo, aisle 3,,promo" → ["promo", "aisle 3"]: trimmed, lower-cased, unique (as the API stores them). */
export function parseTags(raw: string): string[] {
  const seen = new Set<string>()
  for (const part of raw.split(',')) {
    const tag = part.split(/\s+/).filter(Boolean).join(' ').toLowerCase()
    if (tag) seen.add(tag)
  }
  return [...seen]
}

function positiveInt(value: string | null): number | null {
  if (!value) return null
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : null
}

export function readLibraryState(params: URLSearchParams): LibraryState {
  const source = params.get('source')
  const annotated = params.get('annotated')
  const sort = params.get('sort')
  const limit = positiveInt(params.get('limit'))
  return {
    filters: {
      q: params.get('q') || null,
      source: IMAGE_SOURCES.includes(source as ImageSource) ? (source as ImageSource) : null,
      folder: params.get('folder') || null,
      folder_prefix: params.get('subfolders') === '1',
      tags: parseTags(params.get('tags') ?? ''),
      dataset_id: positiveInt(params.get('dataset')),
      not_in_dataset_id: positiveInt(params.get('not_in_dataset')),
      has_annotations: annotated === 'yes' ? true : annotated === 'no' ? false : null,
    },
    sort: SORTS.includes(sort as ImageSortField) ? (sort as ImageSortField) : 'created_at',
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
    view: params.get('view') === 'table' ? 'table' : 'grid',
    limit: limit && (PAGE_SIZES as readonly number[]).includes(limit) ? limit : PAGE_SIZES[1],
  }
}

export function writeLibraryState(state: LibraryState): URLSearchParams {
  const params = new URLSearchParams()
  const f = state.filters
  if (f.q) params.set('q', f.q)
  if (f.source) params.set('source', f.source)
  if (f.folder) params.set('folder', f.folder)
  if (f.folder && f.folder_prefix) params.set('subfolders', '1')
  if (f.tags && f.tags.length > 0) params.set('tags', f.tags.join(','))
  if (f.dataset_id) params.set('dataset', String(f.dataset_id))
  if (f.not_in_dataset_id) params.set('not_in_dataset', String(f.not_in_dataset_id))
  if (f.has_annotations !== null && f.has_annotations !== undefined) params.set('annotated', f.has_annotations ? 'yes' : 'no')
  if (state.sort !== 'created_at') params.set('sort', state.sort)
  if (state.order !== 'desc') params.set('order', state.order)
  if (state.view !== 'grid') params.set('view', state.view)
  if (state.limit !== PAGE_SIZES[1]) params.set('limit', String(state.limit))
  return params
}

/** How many filters are set (for the "Clear filters" affordance). */
export function activeFilterCount(filters: ImageFilters): number {
  let n = 0
  if (filters.q) n++
  if (filters.source) n++
  if (filters.folder) n++
  n += filters.tags?.length ?? 0
  if (filters.dataset_id) n++
  if (filters.not_in_dataset_id) n++
  if (filters.has_annotations !== null && filters.has_annotations !== undefined) n++
  return n
}

export function useLibraryState() {
  const [params, setParams] = useSearchParams()
  const state = useMemo(() => readLibraryState(params), [params])
  const update = useCallback(
    (change: Partial<Omit<LibraryState, 'filters'>> & { filters?: Partial<ImageFilters> }) => {
      setParams(
        (current) => {
          const prev = readLibraryState(current)
          return writeLibraryState({ ...prev, ...change, filters: { ...prev.filters, ...change.filters } })
        },
        { replace: true },
      )
    },
    [setParams],
  )
  const clearFilters = useCallback(() => {
    setParams((current) => writeLibraryState({ ...readLibraryState(current), filters: {} }), { replace: true })
  }, [setParams])
  return { state, update, clearFilters }
}
