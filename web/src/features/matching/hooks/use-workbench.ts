/** The queue being worked through: the cursor, what was just decided here, and confirm / reject / move by key or click. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { toast } from 'sonner'
import { errorMessage, isApiError, type MatchQueueItem, type MatchQueueSort } from '@/lib/api'
import { candidateOfRank, indexAfterLeaving, moveIndex, visibleItems, type MatchAction } from './keys'
import { useConfirmMatch, useMatchQueue, useRejectCutout } from './queries'

/** Fetch the next page when the cursor gets this close to the end of what is loaded. */
const PREFETCH_AHEAD = 5

function useDone() {
  const [done, setDone] = useState<ReadonlySet<number>>(new Set())
  const add = useCallback((id: number) => setDone((d) => new Set(d).add(id)), [])
  const drop = useCallback((id: number) => setDone((d) => { const next = new Set(d); next.delete(id); return next }), [])
  const reset = useCallback(() => setDone(new Set()), [])
  return { done, add, drop, reset }
}

export function useWorkbench(collectionId: number | null, sort: MatchQueueSort) {
  const queue = useMatchQueue(collectionId, sort)
  const loaded = useMemo(() => queue.data?.pages.flatMap((p) => p.items) ?? [], [queue.data])
  const done = useDone()
  const items = useMemo(() => visibleItems(loaded, done.done), [loaded, done.done])
  const [index, setIndex] = useState(0)
  const searchRef = useRef<HTMLInputElement>(null)
  const confirm = useConfirmMatch()
  const reject = useRejectCutout()
  const { reset } = done
  useEffect(() => {
    setIndex(0)
    reset()
  }, [collectionId, sort, reset])
  const safeIndex = indexAfterLeaving(index, items.length)
  const current: MatchQueueItem | null = items[safeIndex] ?? null
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = queue
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && safeIndex >= items.length - PREFETCH_AHEAD) void fetchNextPage()
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, safeIndex, items.length])

  /** Hide the cutout at once (the next one slides in); a refusal puts it back, unless it is gone (409). */
  const leave = (cutoutId: number, run: (hooks: { onSuccess: () => void; onError: (e: unknown) => void }) => void, doneText: string) => {
    done.add(cutoutId)
    run({
      onSuccess: () => toast.success(doneText),
      onError: (error) => {
        if (!(isApiError(error) && error.status === 409)) done.drop(cutoutId)
        toast.error(errorMessage(error))
      },
    })
  }
  const confirmProduct = (product: { id: number; name: string; sku: string }) => {
    if (!current) return
    const cutoutId = current.cutout.id
    leave(cutoutId, (hooks) => confirm.mutate({ cutoutId, productId: product.id, collectionId }, hooks), `Cutout #${cutoutId} is ${product.name} (${product.sku})`)
  }
  const rejectCurrent = () => {
    if (!current) return
    const cutoutId = current.cutout.id
    leave(cutoutId, (hooks) => reject.mutate(cutoutId, hooks), `Cutout #${cutoutId} rejected`)
  }
  const act = (action: MatchAction) => {
    if (action.type === 'move') setIndex(moveIndex(safeIndex, action.delta, items.length))
    else if (action.type === 'search') searchRef.current?.focus()
    else if (action.type === 'reject') rejectCurrent()
    else {
      const candidate = current ? candidateOfRank(current.candidates, action.rank) : null
      if (candidate) confirmProduct(candidate.product)
    }
  }
  return { queue, items, index: safeIndex, current, select: setIndex, act, confirmProduct, rejectCurrent, searchRef }
}
