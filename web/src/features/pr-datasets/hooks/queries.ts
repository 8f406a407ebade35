/** Server state of PR datasets: list, one dataset, its stats and versions, and edits. */
import { useCallback } from 'react'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { queryKeys, type PrDatasetCreate, type PrDatasetPatch } from '@/lib/api'
import { prDatasetsApi } from '../api'

export function usePrDatasets(q: string | null) {
  const params = { q, limit: 100 }
  return useQuery({
    queryKey: queryKeys.prDatasets.list(params),
    queryFn: ({ signal }) => prDatasetsApi.list(params, signal),
    placeholderData: keepPreviousData,
  })
}

export function usePrDataset(id: number) {
  return useQuery({
    queryKey: queryKeys.prDatasets.detail(id),
    queryFn: ({ signal }) => prDatasetsApi.get(id, signal),
    enabled: Number.isInteger(id) && id > 0,
    retry: (count, error) => !('status' in error && (error as { status: number }).status === 404) && count < 2,
  })
}

export function usePrDatasetStats(id: number) {
  return useQuery({
    queryKey: queryKeys.prDatasets.stats(id),
    queryFn: ({ signal }) => prDatasetsApi.stats(id, signal),
  })
}

export function usePrVersions(id: number) {
  return useQuery({
    queryKey: queryKeys.prDatasets.versions(id),
    queryFn: ({ signal }) => prDatasetsApi.versions(id, signal),
    select: (list) => list.items,
  })
}

function useInvalidate() {
  const queryClient = useQueryClient()
  return useCallback(() => void queryClient.invalidateQueries({ queryKey: queryKeys.prDatasets.all() }), [queryClient])
}

export function useCreatePrDataset() {
  const invalidate = useInvalidate()
  return useMutation({ mutationFn: (body: PrDatasetCreate) => prDatasetsApi.create(body), onSuccess: invalidate })
}

export function useUpdatePrDataset(id: number) {
  const invalidate = useInvalidate()
  return useMutation({ mutationFn: (body: PrDatasetPatch) => prDatasetsApi.update(id, body), onSuccess: invalidate })
}

export function useDeletePrDataset() {
  const invalidate = useInvalidate()
  return useMutation({ mutationFn: (id: number) => prDatasetsApi.remove(id), onSuccess: invalidate })
}

export function useFreezeVersion(id: number) {
  const invalidate = useInvalidate()
  return useMutation({ mutationFn: (name: string | null) => prDatasetsApi.freeze(id, name), onSuccess: invalidate })
}

export function useDeleteVersion(id: number) {
  const invalidate = useInvalidate()
  return useMutation({ mutationFn: (versionId: number) => prDatasetsApi.removeVersion(id, versionId), onSuccess: invalidate })
}
