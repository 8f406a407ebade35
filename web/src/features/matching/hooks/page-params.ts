/** The matching page's place in the URL: collection, tab and queue order, so a reload or a link lands in the same spot. */
import type { MatchQueueSort } from '@/lib/api'

export type MatchTab = 'queue' | 'photos'

export interface MatchParams {
  collectionId: number | null
  tab: MatchTab
  sort: MatchQueueSort
}

export function readMatchParams(params: URLSearchParams): MatchParams {
  const raw = params.get('collection')
  const id = raw !== null && /^\d+$/.test(raw) ? Number(raw) : null
  return {
    collectionId: id !== null && id > 0 ? id : null,
    tab: params.get('tab') === 'photos' ? 'photos' : 'queue',
    sort: params.get('sort') === 'id' ? 'id' : 'similarity',
  }
}

export function writeMatchParams(p: MatchParams): URLSearchParams {
  const out = new URLSearchParams()
  if (p.collectionId !== null) out.set('collection', String(p.collectionId))
  if (p.tab !== 'queue') out.set('tab', p.tab)
  if (p.sort !== 'similarity') out.set('sort', p.sort)
  return out
}

/** The collection to show: the one in the URL when it exists, else the first listed. */
export function chosenCollection(wanted: number | null, ids: readonly number[]): number | null {
  if (wanted !== null && ids.includes(wanted)) return wanted
  return ids[0] ?? null
}
