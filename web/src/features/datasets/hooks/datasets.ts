import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  queryKeys,
  type AddImagesRequest,
  type DatasetCreate,
  type DatasetImageListParams,
  type DatasetImagePatch,
  type DatasetUpdate,
} from '@/lib/api'
import { datasetsApi } from '../api'

export function useDatasets(q: string | null) {
  const params = { q, limit: 100 }
  return useQuery({
    queryKey: queryKeys.datasets.list(params),
    queryFn: ({ signal }) => datasetsApi.list(params, signal),
    placeholderData: keepPreviousData,
  })
}

/** Datasets to choose from (filters, "add to dataset", import target): the first 100 by name. */
export function useDatasetChoices(enabled = true) {
  return useQuery({
    queryKey: queryKeys.datasets.list({ limit: 100 }),
    queryFn: ({ signal }) => datasetsApi.list({ limit: 100 }, signal),
    select: (page) => page.items,
    enabled,
  })
}

export function useDataset(id: number) {
  return useQuery({
    queryKey: queryKeys.datasets.detail(id),
    queryFn: ({ signal }) => datasetsApi.get(id, signal),
    enabled: Number.isInteger(id) && id > 0,
    retry: (count, error) => !('status' in error && (error as { status: number }).status === 404) && count < 2,
  })
}

export function useDatasetStats(id: number) {
  return useQuery({
    queryKey: queryKeys.datasets.stats(id),
    queryFn: ({ signal }) => datasetsApi.stats(id, signal),
  })
}

export function useDatasetImages(id: number, params: DatasetImageListParams) {
  return useQuery({
    queryKey: [...queryKeys.datasets.images(id, params), params.cursor ?? null],
    queryFn: ({ signal }) => datasetsApi.images(id, params, signal),
    placeholderData: keepPreviousData,
  })
}

function useInvalidateDatasets() {
  const queryClient = useQueryClient()
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.od.stats() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.images.lists() })
  }
}

export function useCreateDataset() {
  const invalidate = useInvalidateDatasets()
  return useMutation({ mutationFn: (body: DatasetCreate) => datasetsApi.create(body), onSuccess: invalidate })
}

export function useUpdateDataset(id: number) {
  const invalidate = useInvalidateDatasets()
  return useMutation({ mutationFn: (body: DatasetUpdate) => datasetsApi.update(id, body), onSuccess: invalidate })
}

export function useDeleteDataset() {
  const invalidate = useInvalidateDatasets()
  return useMutation({ mutationFn: (id: number) => datasetsApi.remove(id), onSuccess: invalidate })
}

export function useAddImages(id: number) {
  const invalidate = useInvalidateDatasets()
  return useMutation({ mutationFn: (body: AddImagesRequest) => datasetsApi.addImages(id, body), onSuccess: invalidate })
}

export function useRemoveImages(id: number) {
  const invalidate = useInvalidateDatasets()
  return useMutation({ mutationFn: (imageIds: number[]) => datasetsApi.removeImages(id, imageIds), onSuccess: invalidate })
}

/** Set one dataset image's status or split. */
export function useUpdateDatasetImage(id: number) {
  const invalidate = useInvalidateDatasets()
  return useMutation({
    mutationFn: ({ imageId, body }: { imageId: number; body: DatasetImagePatch }) =>
      datasetsApi.updateImage(id, imageId, body),
    onSuccess: invalidate,
  })
}

/** Set the status and/or split of several dataset images. */
export function useBulkUpdateImages(id: number) {
  const invalidate = useInvalidateDatasets()
  return useMutation({
    mutationFn: ({ imageIds, body }: { imageIds: number[]; body: DatasetImagePatch }) =>
      datasetsApi.bulkUpdate(id, imageIds, body),
    onSuccess: invalidate,
  })
}
