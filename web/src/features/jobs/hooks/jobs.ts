import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { isActiveJob, queryKeys, type Job, type JobListParams, type JobLog, type JobStatus } from '@/lib/api'
import { jobsApi } from '../api'

export const ACTIVE_POLL_MS = 1000
export const IDLE_POLL_MS = 5000

/** Poll fast while any listed job is queued or running, slowly otherwise. */
export function jobsPollInterval(jobs: readonly Pick<Job, 'status'>[] | undefined): number {
  return jobs?.some(isActiveJob) ? ACTIVE_POLL_MS : IDLE_POLL_MS
}

/** The latest jobs (dashboard "Recent jobs" and the jobs drawer), without the interactive ones (a SAM click each). */
export function useRecentJobs(limit = 10) {
  const params: JobListParams = { limit, include_interactive: false }
  return useQuery({
    queryKey: queryKeys.jobs.list(params),
    queryFn: ({ signal }) => jobsApi.list(params, signal),
    refetchInterval: (query) => jobsPollInterval(query.state.data?.items),
  })
}

/** The most recent job of one kind (e.g. the last storage verification). */
export function useLatestJobOfKind(kind: string) {
  return useQuery({
    queryKey: queryKeys.jobs.list({ limit: 1, kind }),
    queryFn: ({ signal }) => jobsApi.list({ limit: 1, kind }, signal),
    select: (page) => page.items[0] ?? null,
  })
}

/** All jobs, newest first, a page at a time ("Load more"); interactive ones (a SAM click each) only when asked. */
export function useJobsList(params: { status: JobStatus | null; limit?: number; includeInteractive?: boolean }) {
  const limit = params.limit ?? 25
  const listParams: JobListParams = {
    limit,
    status: params.status,
    include_interactive: params.includeInteractive ?? false,
  }
  return useInfiniteQuery({
    queryKey: queryKeys.jobs.list(listParams),
    queryFn: ({ pageParam, signal }) => jobsApi.list({ ...listParams, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some(isActiveJob)) ? 2000 : 10_000,
  })
}

/** Put a job the server just answered with in the cache and refresh the lists, so every view shows it at once. */
export function useTrackJob(): (job: Job) => void {
  const queryClient = useQueryClient()
  return useCallback(
    (job: Job) => {
      queryClient.setQueryData(queryKeys.jobs.detail(job.id), job)
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() })
    },
    [queryClient],
  )
}

/** Call `onFinish` once when the job is no longer queued or running (a toast, a refresh of what it changed). */
export function useJobFinished(job: Job | undefined, onFinish: (job: Job) => void): void {
  const finished = useRef<number | null>(null)
  useEffect(() => {
    if (!job || isActiveJob(job) || finished.current === job.id) return
    finished.current = job.id
    onFinish(job)
  }, [job, onFinish])
}

export function useCancelJob() {
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (id: number) => jobsApi.cancel(id),
    onSuccess: ({ job }) => trackJob(job),
  })
}

/** The job's log lines; polled only while the job runs without a live stream. */
export function useJobLogs(id: number | null, poll = false) {
  return useQuery({
    queryKey: queryKeys.jobs.logs(id ?? -1),
    queryFn: ({ signal }) => jobsApi.logs(id ?? -1, { limit: 500 }, signal),
    enabled: id !== null,
    refetchInterval: poll ? 2000 : false,
  })
}

export function useJobMetrics(id: number | null, active: boolean) {
  return useQuery({
    queryKey: queryKeys.jobs.metrics(id ?? -1),
    queryFn: ({ signal }) => jobsApi.metrics(id ?? -1, signal),
    enabled: id !== null,
    refetchInterval: active ? 3000 : false,
  })
}

export type StreamState = 'idle' | 'connecting' | 'open' | 'ended' | 'failed'

function mergeLogs(existing: readonly JobLog[], incoming: readonly JobLog[]): JobLog[] {
  const byId = new Map<number, JobLog>()
  for (const log of existing) byId.set(log.id, log)
  for (const log of incoming) byId.set(log.id, log)
  return [...byId.values()].sort((a, b) => a.id - b.id)
}

function parseEventData<T>(event: Event): T | null {
  if (!(event instanceof MessageEvent) || typeof event.data !== 'string') return null
  try {
    return JSON.parse(event.data) as T
  } catch {
    return null
  }
}

/**
 * One job kept live: the SSE stream pushes `job` and `log` events into the query cache;
 * when the stream is not available the job is polled every second instead.
 */
export function useLiveJob(id: number | null) {
  const queryClient = useQueryClient()
  const [streamState, setStreamState] = useState<StreamState>('idle')
  const [streamLogs, setStreamLogs] = useState<JobLog[]>([])

  const job = useQuery({
    queryKey: queryKeys.jobs.detail(id ?? -1),
    queryFn: ({ signal }) => jobsApi.get(id ?? -1, signal),
    enabled: id !== null,
    refetchInterval: (query) => {
      const data = query.state.data
      if (data && !isActiveJob(data)) return false
      return streamState === 'open' ? 5000 : ACTIVE_POLL_MS
    },
  })

  const active = job.data ? isActiveJob(job.data) : id !== null

  useEffect(() => {
    setStreamLogs([])
  }, [id])

  useEffect(() => {
    if (id === null || !active || typeof EventSource === 'undefined') return
    const source = new EventSource(jobsApi.streamUrl(id))
    setStreamState('connecting')
    source.addEventListener('open', () => setStreamState('open'))
    source.addEventListener('job', (event) => {
      const next = parseEventData<Job>(event)
      if (!next) return
      queryClient.setQueryData(queryKeys.jobs.detail(id), next)
      if (!isActiveJob(next)) {
        // Finished: this effect closes the stream, so refresh what depends on the final state now.
        void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() })
        void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.logs(id) })
        void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.metrics(id) })
        void queryClient.invalidateQueries({ queryKey: queryKeys.od.stats() })
      }
    })
    source.addEventListener('log', (event) => {
      const log = parseEventData<JobLog>(event)
      if (log) setStreamLogs((prev) => mergeLogs(prev, [log]))
    })
    source.addEventListener('end', () => {
      source.close()
      setStreamState('ended')
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.detail(id) })
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() })
    })
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) setStreamState('failed')
    })
    return () => source.close()
  }, [id, active, queryClient])

  return { job, streamState, streamLogs }
}

/** Logs fetched once plus those pushed by the stream, without duplicates. */
export function useMergedLogs(fetched: readonly JobLog[] | undefined, streamed: readonly JobLog[]): JobLog[] {
  return useMemo(() => mergeLogs(fetched ?? [], streamed), [fetched, streamed])
}
