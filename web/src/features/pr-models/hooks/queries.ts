/** Server state of embedding models: the list (polled while one is being evaluated), one model, edits, comparisons. */
import { useCallback } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTrackJob } from '@/features/jobs'
import { isApiError, queryKeys, type PrModel, type PrModelCreate, type PrModelPatch } from '@/lib/api'
import { prModelsApi } from '../api'

export const EVALUATING_POLL_MS = 3000

/** Poll while any model waits for its test metrics. */
export function modelsPollInterval(models: readonly Pick<PrModel, 'status'>[] | undefined): number | false {
  return models?.some((m) => m.status === 'evaluating') ? EVALUATING_POLL_MS : false
}

export function usePrModels() {
  return useQuery({
    queryKey: queryKeys.prModels.list(),
    queryFn: ({ signal }) => prModelsApi.list(signal),
    refetchInterval: (query) => modelsPollInterval(query.state.data),
  })
}

export function usePrModel(id: number | null) {
  return useQuery({
    queryKey: queryKeys.prModels.detail(id ?? -1),
    queryFn: ({ signal }) => prModelsApi.get(id ?? -1, signal),
    enabled: id !== null,
    retry: (count, error) => !(isApiError(error) && error.status === 404) && count < 2,
    refetchInterval: (query) => (query.state.data ? modelsPollInterval([query.state.data]) : false),
  })
}

function useInvalidateModels() {
  const queryClient = useQueryClient()
  return useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.prModels.all() })
    // A run's checkpoints list the models that link them.
    void queryClient.invalidateQueries({ queryKey: queryKeys.prTraining.all() })
  }, [queryClient])
}

/** Register a checkpoint as a model. */
export function useRegisterModel() {
  const invalidate = useInvalidateModels()
  return useMutation({ mutationFn: (body: PrModelCreate) => prModelsApi.create(body), onSuccess: invalidate })
}

export function useUpdateModel(id: number) {
  const invalidate = useInvalidateModels()
  return useMutation({ mutationFn: (body: PrModelPatch) => prModelsApi.update(id, body), onSuccess: invalidate })
}

export function useDeleteModel() {
  const invalidate = useInvalidateModels()
  return useMutation({ mutationFn: (id: number) => prModelsApi.remove(id), onSuccess: invalidate })
}

/** The test metrics of 2–5 models aligned (no model runs). */
export function useModelComparison(ids: readonly number[], enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.prModels.compare(ids),
    queryFn: ({ signal }) => prModelsApi.compare(ids, signal),
    enabled,
  })
}

/** Start the visual comparison job (the same queries through every model). */
export function useStartVisualCompare() {
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: ({ ids, queries }: { ids: readonly number[]; queries: number }) => prModelsApi.compareVisual(ids, queries),
    onSuccess: ({ job }) => trackJob(job),
  })
}
