/** Server state of the training pages: runs (polled while live), metrics, architectures, trainers, the estimate. */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTrackJob } from '@/features/jobs'
import {
  isActiveJob,
  queryKeys,
  type EstimateParams,
  type TrainingRun,
  type TrainingRunCreate,
  type TrainingStatus,
} from '@/lib/api'
import { trainingApi } from '../api'

export const LIVE_POLL_MS = 2000

export function runPollInterval(runs: readonly Pick<TrainingRun, 'status'>[] | undefined, idle: number | false = false): number | false {
  return runs?.some(isActiveJob) ? LIVE_POLL_MS : idle
}

export function useTrainingRuns(status: TrainingStatus | null) {
  const params = { status, limit: 25 }
  return useInfiniteQuery({
    queryKey: queryKeys.training.list(params),
    queryFn: ({ pageParam, signal }) => trainingApi.list({ ...params, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
    refetchInterval: (query) => runPollInterval(query.state.data?.pages.flatMap((p) => p.items), 15_000),
  })
}

export function useTrainingRun(id: number | null) {
  return useQuery({
    queryKey: queryKeys.training.detail(id ?? -1),
    queryFn: ({ signal }) => trainingApi.get(id ?? -1, signal),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data ? runPollInterval([query.state.data]) : false),
  })
}

/** Polled while the run is live; `stamp` (its status and epoch) changing fetches again, so a run that
 * ends between two polls still shows its last epochs. */
export function useRunMetrics(id: number | null, live: boolean, stamp = '') {
  return useQuery({
    queryKey: [...queryKeys.training.metrics(id ?? -1), stamp],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => trainingApi.metrics(id ?? -1, signal),
    enabled: id !== null,
    refetchInterval: live ? LIVE_POLL_MS : false,
  })
}

export function useArchitectures() {
  return useQuery({
    queryKey: queryKeys.training.architectures(),
    queryFn: ({ signal }) => trainingApi.architectures(signal),
    staleTime: 30_000,
  })
}

/** Trainer environments; polled while one installs. */
export function useTrainers() {
  return useQuery({
    queryKey: queryKeys.training.trainers(),
    queryFn: ({ signal }) => trainingApi.trainers(signal),
    refetchInterval: (query) =>
      query.state.data?.some((t) => (t.install_job ? isActiveJob(t.install_job) : false)) ? LIVE_POLL_MS : false,
  })
}

export function useInstallTrainer() {
  const queryClient = useQueryClient()
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (family: string) => trainingApi.installTrainer(family),
    onSuccess: ({ job }) => {
      trackJob(job)
      void queryClient.invalidateQueries({ queryKey: queryKeys.training.trainers() })
      void queryClient.invalidateQueries({ queryKey: queryKeys.training.architectures() })
    },
  })
}

export function useEstimate(params: EstimateParams | null) {
  return useQuery({
    queryKey: queryKeys.training.estimate(params ?? {}),
    queryFn: ({ signal }) => trainingApi.estimate(params as EstimateParams, signal),
    enabled: params !== null,
    retry: false,
  })
}

export function useStartRun() {
  const queryClient = useQueryClient()
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (body: TrainingRunCreate) => trainingApi.start(body),
    onSuccess: ({ run, job }) => {
      trackJob(job)
      queryClient.setQueryData(queryKeys.training.detail(run.id), run)
      void queryClient.invalidateQueries({ queryKey: queryKeys.training.lists() })
    },
  })
}

/** Cancel a live run, or delete a finished one (forced when it registered a model). */
export function useDeleteRun() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ id, force }: { id: number; force?: boolean }) => trainingApi.remove(id, force),
    onSuccess: (answer, { id }) => {
      if (answer?.run) queryClient.setQueryData(queryKeys.training.detail(id), answer.run)
      void queryClient.invalidateQueries({ queryKey: queryKeys.training.all() })
    },
  })
}
