import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  datasetsApi,
  imagesApi,
  queryKeys,
  type AddImagesRequest,
  type BulkImageRequest,
  type ImageListParams,
  type ImagePatch,
  type SyncRequest,
  type UrlImportRequest,
} from '@/lib/api'

/** One page of the library; the cursor is part of the request, not of the cache key's filters. */
export function useImagesPage(params: ImageListParams) {
  return useQuery({
    queryKey: [...queryKeys.images.list(params), params.cursor ?? null],
    queryFn: ({ signal }) => imagesApi.list({ ...params, with_total: true }, signal),
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

/** Datasets for the filter sidebar and "add to dataset" (the first 100 by name). */
export function useDatasetChoices() {
  return useQuery({
    queryKey: queryKeys.datasets.list({ limit: 100 }),
    queryFn: ({ signal }) => datasetsApi.list({ limit: 100 }, signal),
    select: (page) => page.items,
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

export function useAddToDataset() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ datasetId, body }: { datasetId: number; body: AddImagesRequest }) =>
      datasetsApi.addImages(datasetId, body),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.all() })
      void queryClient.invalidateQueries({ queryKey: queryKeys.images.lists() })
    },
  })
}

/** Start a URL import job (202 {job}); follow it with useLiveJob for the per-URL results. */
export function useImportUrls() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: UrlImportRequest) => imagesApi.importUrls(body),
    onSuccess: ({ job }) => {
      queryClient.setQueryData(queryKeys.jobs.detail(job.id), job)
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() })
    },
  })
}

export function useStartSync() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: SyncRequest) => imagesApi.sync(body),
    onSuccess: ({ job }) => {
      queryClient.setQueryData(queryKeys.jobs.detail(job.id), job)
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() })
    },
  })
}

/** Call after uploads finish so every view of the library refreshes. */
export function useLibraryChanged() {
  return useInvalidateLibrary()
}
