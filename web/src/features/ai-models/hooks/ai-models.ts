import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { queryKeys } from '@/lib/api'
import { useTrackJob } from '@/features/jobs'
import { aiModelsApi } from '../api'

/** While a download runs the list is re-read, so sizes and "present" follow it. */
export const DOWNLOADING_POLL_MS = 3000

/** Every catalogue model with whether its weights are on the server. */
export function useAiModels() {
  return useQuery({
    queryKey: queryKeys.ml.models(),
    queryFn: ({ signal }) => aiModelsApi.list(signal),
    refetchInterval: (query) => (query.state.data?.items.some((m) => m.fetch_job) ? DOWNLOADING_POLL_MS : false),
  })
}

export function useRefreshAiModels(): () => void {
  const queryClient = useQueryClient()
  return () => void queryClient.invalidateQueries({ queryKey: queryKeys.ml.models() })
}

/** Start (or join) the download of a model's weights; the job goes to every job view at once. */
export function useFetchAiModel() {
  const trackJob = useTrackJob()
  const refresh = useRefreshAiModels()
  return useMutation({
    mutationFn: (key: string) => aiModelsApi.fetch(key),
    onSuccess: ({ job }) => {
      trackJob(job)
      refresh()
    },
  })
}

export function useDeleteAiModel() {
  const refresh = useRefreshAiModels()
  return useMutation({
    mutationFn: (key: string) => aiModelsApi.remove(key),
    onSuccess: refresh,
  })
}
