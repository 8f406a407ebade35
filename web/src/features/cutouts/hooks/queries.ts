/** Server state of cutouts: the list a page at a time, edits and bulk actions, the make-cutouts job, and its pickers' data. */
import { useCallback } from 'react'
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { classesApi } from '@/features/classes'
import { useTrackJob } from '@/features/jobs'
import { queryKeys, type CutoutBulkRequest, type CutoutFilters, type CutoutJobRequest, type CutoutPatch } from '@/lib/api'
import { cutoutsApi } from '../api'

export const CUTOUT_PAGE = 48

export function useCutoutPages(filters: CutoutFilters) {
  const params = { limit: CUTOUT_PAGE, ...filters }
  return useInfiniteQuery({
    queryKey: queryKeys.cutouts.list(params),
    queryFn: ({ pageParam, signal }) => cutoutsApi.list({ ...params, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  })
}

/** A match or reject changes the product's gallery and the PR datasets built from matched products. */
export function useCutoutsChanged() {
  const queryClient = useQueryClient()
  return useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.cutouts.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.products.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.prDatasets.all() })
  }, [queryClient])
}

export function useUpdateCutout() {
  const changed = useCutoutsChanged()
  return useMutation({ mutationFn: ({ id, patch }: { id: number; patch: CutoutPatch }) => cutoutsApi.update(id, patch), onSuccess: changed })
}

export function useBulkCutouts() {
  const changed = useCutoutsChanged()
  return useMutation({ mutationFn: (body: CutoutBulkRequest) => cutoutsApi.bulk(body), onSuccess: changed })
}

export function useMakeCutouts() {
  const trackJob = useTrackJob()
  return useMutation({ mutationFn: (body: CutoutJobRequest) => cutoutsApi.make(body), onSuccess: ({ job }) => trackJob(job) })
}

/** Classes used in a dataset (every class when none is chosen), for the class filter and the make-cutouts form. */
export function useClassChoices(datasetId: number | null) {
  const params = { dataset_id: datasetId, limit: 500 }
  return useQuery({
    queryKey: queryKeys.classes.list(params),
    queryFn: ({ signal }) => classesApi.list(params, signal),
    select: (page) => page.items,
    staleTime: 30_000,
  })
}
