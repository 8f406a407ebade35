/** Server state of the model registry: lists, one model (polled while its ONNX export runs), edits, compare. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { imagesApi } from '@/features/images'
import { useTrackJob } from '@/features/jobs'
import { queryKeys, type ExportFormat, type ModelListParams, type ModelPatch, type TrainedModel } from '@/lib/api'
import { modelsApi, type InferenceInput } from '../api'

export function useModels(params: ModelListParams, enabled = true) {
  const full = { limit: 100, ...params }
  return useQuery({
    queryKey: queryKeys.models.list(full),
    queryFn: ({ signal }) => modelsApi.list(full, signal),
    placeholderData: keepPreviousData,
    enabled,
  })
}

export function useModel(id: number | null) {
  return useQuery({
    queryKey: queryKeys.models.detail(id ?? -1),
    queryFn: ({ signal }) => modelsApi.get(id ?? -1, signal),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data?.onnx?.status === 'running' ? 2000 : false),
  })
}

/** Put the model the server answered with in the cache; refresh the lists (a new default unsets the old one). */
function useStoreModel() {
  const queryClient = useQueryClient()
  return (model: TrainedModel) => {
    queryClient.setQueryData(queryKeys.models.detail(model.id), model)
    void queryClient.invalidateQueries({ queryKey: queryKeys.models.lists() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.ml.models() })
  }
}

export function useUpdateModel(id: number) {
  const store = useStoreModel()
  return useMutation({ mutationFn: (body: ModelPatch) => modelsApi.update(id, body), onSuccess: store })
}

export function useSetDefaultModel() {
  const store = useStoreModel()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: number) => modelsApi.setDefault(id),
    onSuccess: (model) => {
      store(model)
      void queryClient.invalidateQueries({ queryKey: queryKeys.models.all() })
    },
  })
}

export function useDeleteModel() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: number) => modelsApi.remove(id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.models.all() }),
  })
}

export function useExportModel(id: number) {
  const queryClient = useQueryClient()
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (format: ExportFormat) => modelsApi.export(id, format),
    onSuccess: ({ job }) => {
      trackJob(job)
      void queryClient.invalidateQueries({ queryKey: queryKeys.models.detail(id) })
    },
  })
}

export function useInference(id: number) {
  return useMutation({ mutationFn: (input: InferenceInput) => modelsApi.infer(id, input) })
}

export function useCompare(ids: readonly number[]) {
  return useQuery({
    queryKey: queryKeys.models.compare(ids),
    queryFn: ({ signal }) => modelsApi.compare(ids, signal),
    enabled: ids.length >= 2 && ids.length <= 5,
  })
}

/** Library images to test a model on: its own dataset's first, searchable by file name. */
export function useTestImages(datasetId: number | null, q: string) {
  const params = { dataset_id: datasetId ?? undefined, q: q || undefined, limit: 36 }
  return useQuery({
    queryKey: queryKeys.images.list(params),
    queryFn: ({ signal }) => imagesApi.list(params, signal),
  })
}
