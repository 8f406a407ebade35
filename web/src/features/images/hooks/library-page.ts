/** The library page's paging and selection state: cursor pages per query, and ticked ids or "all matching". */
import { useCallback, useRef, useState } from 'react'
import type { ImageFilters, LibraryImage } from '@/lib/api'
import type { Selection } from '../components/bulk-actions'

/** Cursor-based pages: a stack of the cursors that led to each page, reset when the query (`queryKey`) changes. */
export function useCursorPages(queryKey: string) {
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({ key: queryKey, cursors: [null] })
  const cursors = pages.key === queryKey ? pages.cursors : [null]
  return {
    /** 1-based number of the page shown. */
    page: cursors.length,
    cursor: cursors[cursors.length - 1] ?? null,
    back: () => setPages({ key: queryKey, cursors: cursors.slice(0, -1) }),
    forward: (next: string) => setPages({ key: queryKey, cursors: [...cursors, next] }),
  }
}

/**
 * Ticked ids (kept across pages; shift-click ticks a range on the page) or "every image matching the
 * filters" (until the query changes), and the selection the bulk bar acts on.
 */
export function useLibrarySelection(images: readonly LibraryImage[], queryKey: string, filters: ImageFilters, total: number | null) {
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [allMatching, setAllMatching] = useState<{ key: string } | null>(null)
  const matchingAll = allMatching?.key === queryKey
  const lastToggled = useRef<number | null>(null)
  const onToggle = useCallback(
    (id: number, shiftKey: boolean) => {
      setAllMatching(null)
      setSelected((current) => {
        const next = new Set(current)
        const anchor = lastToggled.current
        if (shiftKey && anchor !== null) {
          const ids = images.map((i) => i.id)
          const [a, b] = [ids.indexOf(anchor), ids.indexOf(id)].sort((x, y) => x - y)
          if (a >= 0 && b >= 0) {
            for (const rangeId of ids.slice(a, b + 1)) next.add(rangeId)
            return next
          }
        }
        if (next.has(id)) next.delete(id)
        else next.add(id)
        return next
      })
      lastToggled.current = id
    },
    [images],
  )
  const pageIds = images.map((i) => i.id)
  const togglePage = (on: boolean) => {
    setAllMatching(null)
    setSelected((current) => {
      const next = new Set(current)
      for (const id of pageIds) {
        if (on) next.add(id)
        else next.delete(id)
      }
      return next
    })
  }
  const selection: Selection | null = matchingAll
    ? { mode: 'filter', filter: filters, count: total ?? 0 }
    : selected.size > 0
      ? { mode: 'ids', ids: [...selected] }
      : null
  return {
    selected,
    matchingAll,
    selection,
    pageSelected: pageIds.length > 0 && pageIds.every((id) => selected.has(id)),
    onToggle,
    togglePage,
    selectAllMatching: () => setAllMatching({ key: queryKey }),
    clear: () => {
      setSelected(new Set())
      setAllMatching(null)
    },
  }
}
