/** The editor's and the queue's server state, under `queryKeys.annotate`. */
import { useCallback } from 'react'
import { useQuery } from '@tanstack/react-query'
import { classesApi } from '@/features/classes'
import { datasetsApi } from '@/features/datasets'
import { allPages, queryKeys } from '@/lib/api'
import { annotateApi } from '../api'

/** One image's annotations: read once per visit (the editor owns them until it leaves). */
export function useImageAnnotations(datasetId: number, imageId: number) {
  return useQuery({
    queryKey: queryKeys.annotate.image(datasetId, imageId),
    queryFn: ({ signal }) => annotateApi.load(datasetId, imageId, signal),
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    retry: 1,
  })
}

/** Every class, for the picker and the box colours. */
export function useEditorClasses() {
  return useQuery({
    queryKey: queryKeys.annotate.classes(),
    queryFn: ({ signal }) => allPages((cursor) => classesApi.list({ cursor }, signal)),
    staleTime: 60_000,
  })
}

export function useNeighbors(datasetId: number, imageId: number) {
  return useQuery({
    queryKey: queryKeys.annotate.neighbors(datasetId, imageId),
    queryFn: ({ signal }) => annotateApi.neighbors(datasetId, imageId, signal),
    staleTime: 10_000,
  })
}

/** Every dataset with its progress, for the queue. */
export function useQueueDatasets() {
  return useQuery({
    queryKey: queryKeys.annotate.datasets(),
    queryFn: ({ signal }) => allPages((cursor) => datasetsApi.list({ cursor, limit: 100 }, signal)),
  })
}

/** The image the queue opens for a dataset: the next one to annotate, else the first (to review); null when empty. */
export function useImageToOpen(): (datasetId: number) => Promise<number | null> {
  return useCallback(async (datasetId: number) => {
    const next = await annotateApi.next(datasetId)
    if (next.image_id !== null) return next.image_id
    // Everything is done: open the first image to review.
    const first = await datasetsApi.images(datasetId, { limit: 1 })
    return first.items[0]?.image_id ?? null
  }, [])
}
