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

/** `active: false` once the merge is sent: its sources are gone after it, and the invalidation that
 * follows the merge must not ask for their preview again (a 404). */
export function useMergePreview(request: MergeRequest | null, active = true) {
  return useQuery({
    queryKey: queryKeys.classes.mergePreview(request?.source_ids ?? [], request?.target_id ?? 0),
    queryFn: ({ signal }) => classesApi.mergePreview(request as MergeRequest, signal),
    enabled: active && request !== null && request.source_ids.length > 0,
    staleTime: 0,
  })
}

function useInvalidateClasses() {
  const queryClient = useQueryClient()
  return () => {
    // Not the merge previews: after a merge their sources are gone, and asking again is a 404.
    void queryClient.invalidateQueries({
      queryKey: queryKeys.classes.all(),
      predicate: (query) => !query.queryKey.includes('merge-preview'),
    })
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
