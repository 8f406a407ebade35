import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTrackJob } from '@/features/jobs'
import { queryKeys, type BulkImageRequest, type ImageListParams, type ImagePatch, type SyncRequest, type UrlImportRequest } from '@/lib/api'
import { imagesApi } from '../api'

/** One page of the library; the cursor is part of the request, not of the cache key's filters. */
export function useImagesPage(params: ImageListParams) {
  return useQuery({
    queryKey: [...queryKeys.images.list(params), params.cursor ?? null],
    queryFn: ({ signal }) => imagesApi.list({ ...params, with_total: true }, signal),
    placeholderData: keepPreviousData,
  })
}

/** Library images a page at a time ("Load more"), for the picker's grid. */
export function useImagePages(params: ImageListParams) {
  return useInfiniteQuery({
    queryKey: [...queryKeys.images.list(params), 'picker'],
    queryFn: ({ pageParam, signal }) => imagesApi.list({ ...params, cursor: pageParam, with_total: true }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  })
}

/** How many library images match (one item fetched, with the total). */
export function useImageCount(params: ImageListParams) {
  const query = { ...params, limit: 1, with_total: true }
  return useQuery({
    queryKey: [...queryKeys.images.list(query), 'count'],
    queryFn: ({ signal }) => imagesApi.list(query, signal),
    placeholderData: keepPreviousData,
  })
}

export function useImage(id: number | null) {
  return useQuery({
    queryKey: queryKeys.images.detail(id ?? 0),
    queryFn: ({ signal }) => imagesApi.get(id ?? 0, signal),
    enabled: id !== null,
  })
}

/** Folders and tags in use, for the filter sidebar's suggestions. */
export function useImageFacets() {
  return useQuery({
    queryKey: queryKeys.images.facets(),
    queryFn: ({ signal }) => imagesApi.facets(signal),
    staleTime: 30_000,
  })
}

function useInvalidateLibrary() {
  const queryClient = useQueryClient()
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.images.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.od.stats() })
  }
}

export function useUpdateImage() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: ImagePatch }) => imagesApi.update(id, patch),
    onSuccess: (image) => {
      queryClient.setQueryData(queryKeys.images.detail(image.id), image)
      void queryClient.invalidateQueries({ queryKey: queryKeys.images.lists() })
    },
  })
}

export function useDeleteImage() {
  const invalidate = useInvalidateLibrary()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ id, force }: { id: number; force?: boolean }) => imagesApi.remove(id, force),
    onSuccess: (_, { id }) => {
      queryClient.removeQueries({ queryKey: queryKeys.images.detail(id) })
      invalidate()
      void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.all() })
    },
  })
}

export function useBulkImages() {
  const invalidate = useInvalidateLibrary()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: BulkImageRequest) => imagesApi.bulk(body),
    onSuccess: (result) => {
      invalidate()
      if (result.action === 'delete') void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.all() })
    },
  })
}

/** Start a URL import job (202 {job}); follow it with useLiveJob for the per-URL results. */
export function useImportUrls() {
  const trackJob = useTrackJob()
  return useMutation({ mutationFn: (body: UrlImportRequest) => imagesApi.importUrls(body), onSuccess: ({ job }) => trackJob(job) })
}

export function useStartSync() {
  const trackJob = useTrackJob()
  return useMutation({ mutationFn: (body: SyncRequest) => imagesApi.sync(body), onSuccess: ({ job }) => trackJob(job) })
}

/** Start a storage verification job (202 {job}). */
export function useStartVerify() {
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (options: { regenerateThumbnails: boolean }) =>
      imagesApi.verifyStorage({ regenerate_thumbnails: options.regenerateThumbnails }),
    onSuccess: ({ job }) => trackJob(job),
  })
}

/** Call after uploads finish so every view of the library refreshes. */
export function useLibraryChanged() {
  return useInvalidateLibrary()
}
