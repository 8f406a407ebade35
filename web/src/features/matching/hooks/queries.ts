/** Server state of matching: the queue a page at a time, counts, confirm / reject, bulk accept and shelf views. */
import { useCallback } from 'react'
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTrackJob } from '@/features/jobs'
import { queryKeys, type MatchQueueSort } from '@/lib/api'
import { matchingApi } from '../api'

export const QUEUE_PAGE = 50

export function useMatchQueue(collectionId: number | null, sort: MatchQueueSort) {
  const params = { collection_id: collectionId ?? 0, state: 'unmatched' as const, sort, limit: QUEUE_PAGE }
  return useInfiniteQuery({
    queryKey: queryKeys.matching.queue(params),
    queryFn: ({ pageParam, signal }) => matchingApi.queue({ ...params, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: collectionId !== null,
  })
}

export function useMatchSummary(collectionId: number | null) {
  return useQuery({
    queryKey: queryKeys.matching.summary(collectionId ?? 0),
    queryFn: ({ signal }) => matchingApi.summary(collectionId ?? 0, signal),
    enabled: collectionId !== null,
  })
}

/** How many cutouts a bulk accept at this threshold would take (the live preview). */
export function useBulkPreview(collectionId: number | null, threshold: number | null) {
  return useQuery({
    queryKey: queryKeys.matching.bulkPreview(collectionId ?? 0, threshold ?? -1),
    queryFn: ({ signal }) => matchingApi.bulkPreview(collectionId ?? 0, threshold ?? 1, signal),
    enabled: collectionId !== null && threshold !== null,
    placeholderData: keepPreviousData,
  })
}

/** A match or reject changes the counts, the product's gallery, the cutouts list and the PR datasets built from matches. */
export function useMatchesChanged() {
  const queryClient = useQueryClient()
  return useCallback(() => {
    for (const key of [queryKeys.matching.all(), queryKeys.cutouts.all(), queryKeys.products.all(), queryKeys.prDatasets.all()])
      void queryClient.invalidateQueries({ queryKey: key })
  }, [queryClient])
}

export function useConfirmMatch() {
  const changed = useMatchesChanged()
  return useMutation({
    mutationFn: ({ cutoutId, productId, collectionId }: { cutoutId: number; productId: number; collectionId: number | null }) =>
      matchingApi.confirm(cutoutId, { product_id: productId, collection_id: collectionId }),
    onSettled: changed,
  })
}

export function useRejectCutout() {
  const changed = useMatchesChanged()
  return useMutation({ mutationFn: (cutoutId: number) => matchingApi.reject(cutoutId), onSettled: changed })
}

export function useBulkAccept() {
  const changed = useMatchesChanged()
  return useMutation({
    mutationFn: ({ collectionId, threshold }: { collectionId: number; threshold: number }) => matchingApi.bulkAccept(collectionId, threshold),
    onSettled: changed,
  })
}

export function usePredict() {
  const trackJob = useTrackJob()
  return useMutation({ mutationFn: (collectionId: number) => matchingApi.predict(collectionId), onSuccess: ({ job }) => trackJob(job) })
}

/** Products by a search (the "/" field), when the right one is not among the candidates. */
export function useProductSearch(q: string) {
  const query = q.trim()
  return useQuery({
    queryKey: queryKeys.matching.productSearch(query),
    queryFn: ({ signal }) => matchingApi.searchProducts(query, signal),
    enabled: query !== '',
    placeholderData: keepPreviousData,
  })
}

export function useShelfImages(collectionId: number | null) {
  return useInfiniteQuery({
    queryKey: queryKeys.matching.images(collectionId),
    queryFn: ({ pageParam, signal }) => matchingApi.images(collectionId, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  })
}

export function useShelfImage(imageId: number, collectionId: number | null) {
  return useQuery({
    queryKey: queryKeys.matching.image(imageId, collectionId),
    queryFn: ({ signal }) => matchingApi.image(imageId, collectionId, signal),
  })
}
