/** Server state of embedding training: runs (polled while live), checkpoints, frozen images, evaluations, backbones. */
import { useCallback } from 'react'
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTrackJob } from '@/features/jobs'
import { isActiveJob, isApiError, queryKeys, type PrRunCreate, type PrRunStatus, type PrSplit, type PrTrainingRun } from '@/lib/api'
import { prTrainingApi } from '../api'

/** The runs list refreshes every 5 s while a run is live (the checklist's "5 s refresh"). */
export const LIST_POLL_MS = 5000
/** One run's page follows it more closely. */
export const RUN_POLL_MS = 2000

export function listPollInterval(runs: readonly Pick<PrTrainingRun, 'status'>[] | undefined): number | false {
  return runs?.some(isActiveJob) ? LIST_POLL_MS : false
}

export function usePrRuns(status: PrRunStatus | null) {
  const params = { status, limit: 25 }
  return useInfiniteQuery({
    queryKey: queryKeys.prTraining.list(params),
    queryFn: ({ pageParam, signal }) => prTrainingApi.list({ ...params, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
    refetchInterval: (query) => listPollInterval(query.state.data?.pages.flatMap((p) => p.items)),
  })
}

export function usePrRun(id: number | null) {
  return useQuery({
    queryKey: queryKeys.prTraining.detail(id ?? -1),
    queryFn: ({ signal }) => prTrainingApi.get(id ?? -1, signal),
    enabled: id !== null,
    retry: (count, error) => !(isApiError(error) && error.status === 404) && count < 2,
    refetchInterval: (query) => (query.state.data && isActiveJob(query.state.data) ? RUN_POLL_MS : false),
  })
}

/** A run's changing state in one string: queries keyed by it fetch again when an epoch ends or the run stops. */
export function runStamp(run: Pick<PrTrainingRun, 'status' | 'current_epoch' | 'model_count'>): string {
  return `${run.status}:${run.current_epoch}:${run.model_count}`
}

export function useCheckpoints(id: number, stamp: string) {
  return useQuery({
    queryKey: [...queryKeys.prTraining.checkpoints(id), stamp],
    queryFn: ({ signal }) => prTrainingApi.checkpoints(id, signal),
    placeholderData: keepPreviousData,
  })
}

/** The newest succeeded evaluation, or null while there is none (the API answers 404). */
export function useRunEvaluation(id: number, stamp: string) {
  return useQuery({
    queryKey: [...queryKeys.prTraining.evaluation(id), stamp],
    queryFn: async ({ signal }) => {
      try {
        return await prTrainingApi.evaluation(id, signal)
      } catch (error) {
        if (isApiError(error) && error.status === 404) return null
        throw error
      }
    },
    placeholderData: keepPreviousData,
  })
}

export function useRunImages(id: number, split: PrSplit | null) {
  return useInfiniteQuery({
    queryKey: queryKeys.prTraining.images(id, split),
    queryFn: ({ pageParam, signal }) => prTrainingApi.images(id, split, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  })
}

export function useBackbones() {
  return useQuery({
    queryKey: queryKeys.prTraining.backbones(),
    queryFn: ({ signal }) => prTrainingApi.backbones(signal),
    staleTime: 30_000,
  })
}

function useRunChanged() {
  const queryClient = useQueryClient()
  const trackJob = useTrackJob()
  return useCallback(
    (run: PrTrainingRun | undefined, job: Parameters<typeof trackJob>[0] | null | undefined) => {
      if (job) trackJob(job)
      if (run) queryClient.setQueryData(queryKeys.prTraining.detail(run.id), run)
      void queryClient.invalidateQueries({ queryKey: queryKeys.prTraining.all() })
    },
    [queryClient, trackJob],
  )
}

export function useStartPrRun() {
  const changed = useRunChanged()
  return useMutation({
    mutationFn: (body: PrRunCreate) => prTrainingApi.start(body),
    onSuccess: ({ run, job }) => changed(run, job),
  })
}

export function useCancelPrRun() {
  const changed = useRunChanged()
  return useMutation({ mutationFn: (id: number) => prTrainingApi.cancel(id), onSuccess: ({ run, job }) => changed(run, job) })
}

export function useResumePrRun() {
  const changed = useRunChanged()
  return useMutation({
    mutationFn: ({ id, checkpointId, epochs }: { id: number; checkpointId: number | null; epochs: number | null }) =>
      prTrainingApi.resume(id, checkpointId, epochs),
    onSuccess: ({ run, job }) => changed(run, job),
  })
}

export function useDeletePrRun() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ id, force }: { id: number; force: boolean }) => prTrainingApi.remove(id, force),
    onSuccess: (_, { id }) => {
      queryClient.removeQueries({ queryKey: queryKeys.prTraining.detail(id) })
      void queryClient.invalidateQueries({ queryKey: queryKeys.prTraining.lists() })
      void queryClient.invalidateQueries({ queryKey: queryKeys.prModels.all() })
    },
  })
}

export function useDeleteCheckpoint(runId: number) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ checkpointId, force }: { checkpointId: number; force: boolean }) =>
      prTrainingApi.removeCheckpoint(runId, checkpointId, force),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.prTraining.detail(runId) })
      void queryClient.invalidateQueries({ queryKey: queryKeys.prModels.all() })
    },
  })
}

export function useEvaluateCheckpoint(runId: number) {
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (checkpointId: number) => prTrainingApi.evaluate(runId, checkpointId),
    onSuccess: ({ job }) => trackJob(job),
  })
}
