import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  queryKeys,
  type ClassCreate,
  type ClassDeleteOptions,
  type ClassListParams,
  type ClassUpdate,
  type MergeRequest,
} from '@/lib/api'
import { classesApi } from '../api'

export function useClasses(params: ClassListParams) {
  const query = { ...params, limit: params.limit ?? 500 }
  return useQuery({
    queryKey: queryKeys.classes.list(query),
    queryFn: ({ signal }) => classesApi.list(query, signal),
    placeholderData: keepPreviousData,
  })
}

export function useCategories() {
  return useQuery({ queryKey: queryKeys.classes.categories(), queryFn: ({ signal }) => classesApi.categories(signal) })
}

export function useClassHistory(id: number | null) {
  return useQuery({
    queryKey: id === null ? queryKeys.classes.changes() : queryKeys.classes.history(id),
    queryFn: ({ signal }) =>
      id === null ? classesApi.changes({ limit: 100 }, signal) : classesApi.history(id, { limit: 100 }, signal),
  })
}

export function useDeletePreview(id: number | null) {
  return useQuery({
    queryKey: queryKeys.classes.deletePreview(id ?? 0),
    queryFn: ({ signal }) => classesApi.deletePreview(id ?? 0, signal),
    enabled: id !== null,
    staleTime: 0,
  })
}

export function useMergePreview(request: MergeRequest | null) {
  return useQuery({
    queryKey: queryKeys.classes.mergePreview(request?.source_ids ?? [], request?.target_id ?? 0),
    queryFn: ({ signal }) => classesApi.mergePreview(request as MergeRequest, signal),
    enabled: request !== null && request.source_ids.length > 0,
    staleTime: 0,
  })
}

function useInvalidateClasses() {
  const queryClient = useQueryClient()
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.classes.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.od.stats() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.all() })
  }
}

export function useCreateClass() {
  const invalidate = useInvalidateClasses()
  return useMutation({ mutationFn: (body: ClassCreate) => classesApi.create(body), onSuccess: invalidate })
}

export function useUpdateClass() {
  const invalidate = useInvalidateClasses()
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: ClassUpdate }) => classesApi.update(id, body),
    onSuccess: invalidate,
  })
}

export function useMergeClasses() {
  const invalidate = useInvalidateClasses()
  return useMutation({ mutationFn: (body: MergeRequest) => classesApi.merge(body), onSuccess: invalidate })
}

export function useDeleteClass() {
  const invalidate = useInvalidateClasses()
  return useMutation({
    mutationFn: ({ id, options }: { id: number; options: ClassDeleteOptions }) => classesApi.remove(id, options),
    onSuccess: invalidate,
  })
}
