import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { classesApi } from '@/features/classes'
import { queryKeys } from '@/lib/api'
import { datasetsApi } from '../api'

/** The dataset's classes in order (the editor reads the same query). */
export function useLabelSet(datasetId: number) {
  return useQuery({
    queryKey: queryKeys.datasets.labelSet(datasetId),
    queryFn: ({ signal }) => datasetsApi.labelSet(datasetId, signal),
  })
}

/** Stores a new order; the answer replaces the cached set, so the editor gets the new keys too. */
export function useSetLabelSet(datasetId: number) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (classIds: number[]) => datasetsApi.setLabelSet(datasetId, classIds),
    onSuccess: (saved) => queryClient.setQueryData(queryKeys.datasets.labelSet(datasetId), saved),
  })
}

/** Catalogue classes matching `q`, for adding to a label set. */
export function useClassSearch(q: string, enabled: boolean) {
  const params = { q: q.trim() || null, limit: 50 }
  return useQuery({
    queryKey: queryKeys.classes.list(params),
    queryFn: ({ signal }) => classesApi.list(params, signal),
    enabled,
    placeholderData: keepPreviousData,
  })
}
