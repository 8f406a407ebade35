import { useQuery } from '@tanstack/react-query'
import { queryKeys } from '@/lib/api'
import { systemApi } from '../api'

/** Database, storage and jobs health, checked every 30 s. */
export function useHealth() {
  return useQuery({
    queryKey: queryKeys.system.health(),
    queryFn: ({ signal }) => systemApi.health(signal),
    refetchInterval: 30_000,
    retry: false,
  })
}

/** The object-detection counts (images, datasets, annotations, classes, models, running jobs). */
export function useOdStats() {
  return useQuery({
    queryKey: queryKeys.od.stats(),
    queryFn: ({ signal }) => systemApi.stats(signal),
    refetchInterval: 15_000,
  })
}
