/** The AI feature's server state: the model catalogue, batch runs and the review queue (`queryKeys.ai`). */
import { useCallback } from 'react'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useLiveJob, useTrackJob } from '@/features/jobs'
import { isActiveJob, queryKeys, type AnnotateRequest, type AiModel } from '@/lib/api'
import { aiApi } from '../api'

/** Every catalogue model with its status; polled while weights are being fetched. */
export function useMlModels() {
  return useQuery({
    queryKey: queryKeys.ml.withTrained(),
    queryFn: ({ signal }) => aiApi.models(signal),
    select: (list) => list.items,
    staleTime: 30_000,
    refetchInterval: (query) => (query.state.data?.items.some((m) => m.fetch_job && isActiveJob(m.fetch_job)) ? 2000 : false),
  })
}

export function modelsOfTask(models: readonly AiModel[] | undefined, task: AiModel['task']): AiModel[] {
  return (models ?? []).filter((m) => m.task === task)
}

/** Start a batch run; the job goes into the jobs cache so every job view shows it at once. */
export function useStartAnnotate() {
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (body: AnnotateRequest) => aiApi.annotate(body),
    onSuccess: ({ job }) => trackJob(job),
  })
}

/**
 * A batch run kept live: the job itself through the job stream (or polling), and the images done
 * and boxes per class from the run's own status, polled while it works and read once more at the end.
 */
export function useAnnotateRun(jobId: number | null) {
  const { job } = useLiveJob(jobId)
  const active = job.data ? isActiveJob(job.data) : true
  const finishedAt = job.data?.finished_at ?? null
  const status = useQuery({
    queryKey: [...queryKeys.ai.annotate(jobId ?? -1), finishedAt],
    queryFn: ({ signal }) => aiApi.annotateStatus(jobId ?? -1, signal),
    enabled: jobId !== null,
    refetchInterval: active ? 1000 : false,
  })
  return { job, status }
}

const REVIEW_PAGE = 50

/** Images of a dataset with predictions waiting for review, a page at a time. */
export function useReviewQueue(datasetId: number) {
  return useInfiniteQuery({
    queryKey: queryKeys.ai.review(datasetId, { limit: REVIEW_PAGE }),
    queryFn: ({ pageParam, signal }) => aiApi.review(datasetId, { limit: REVIEW_PAGE, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  })
}

/** Per model: accepted as they were, accepted after an edit, rejected, still pending. */
export function useReviewStats(datasetId: number) {
  return useQuery({
    queryKey: queryKeys.ai.reviewStats(datasetId),
    queryFn: ({ signal }) => aiApi.reviewStats(datasetId, signal),
    select: (stats) => stats.items,
  })
}

/**
 * "Next image with predictions" from the image open in the editor: the next one after it in dataset
 * order, else (wrapping round) the first one waiting that is not this one; null when there is none.
 */
export function useNextPending() {
  const queryClient = useQueryClient()
  return useCallback(
    async (datasetId: number, currentImageId: number | null = null): Promise<number | null> => {
      const read = (afterImageId: number | null) =>
        queryClient.fetchQuery({
          queryKey: [...queryKeys.ai.reviews(datasetId), 'next', afterImageId],
          queryFn: ({ signal }) => aiApi.review(datasetId, { limit: 2, afterImageId }, signal),
          staleTime: 0,
        })
      const after = currentImageId === null ? null : await read(currentImageId)
      const next = after?.items.find((item) => item.image_id !== currentImageId)
      if (next) return next.image_id
      const first = await read(null)
      return first.items.find((item) => item.image_id !== currentImageId)?.image_id ?? null
    },
    [queryClient],
  )
}
