/** Server state of embeddings: the models extraction can use, the collections, extract and delete. */
import { useCallback } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTrackJob } from '@/features/jobs'
import { queryKeys, type ExtractRequest } from '@/lib/api'
import { embeddingsApi } from '../api'

export function useEmbedModels() {
  return useQuery({ queryKey: queryKeys.embeddings.models(), queryFn: ({ signal }) => embeddingsApi.models(signal), staleTime: 30_000 })
}

export function useEmbeddingCollections() {
  return useQuery({ queryKey: queryKeys.embeddings.collections(), queryFn: ({ signal }) => embeddingsApi.collections(signal) })
}

/** An extraction or a delete changes the collections, the models' links to them and every matching view. */
export function useEmbeddingsChanged() {
  const queryClient = useQueryClient()
  return useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.embeddings.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.matching.all() })
  }, [queryClient])
}

export function useExtract() {
  const trackJob = useTrackJob()
  const changed = useEmbeddingsChanged()
  return useMutation({
    mutationFn: (body: ExtractRequest) => embeddingsApi.extract(body),
    onSuccess: ({ job }) => {
      trackJob(job)
      changed()
    },
  })
}

export function useDeleteCollection() {
  const changed = useEmbeddingsChanged()
  return useMutation({ mutationFn: (id: number) => embeddingsApi.remove(id), onSuccess: changed })
}
