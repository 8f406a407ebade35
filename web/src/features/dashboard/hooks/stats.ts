import { useQuery } from '@tanstack/react-query'
import { odApi, queryKeys } from '@/lib/api'

export function useOdStats() {
  return useQuery({
    queryKey: queryKeys.od.stats(),
    queryFn: ({ signal }) => odApi.stats(signal),
    refetchInterval: 15_000,
  })
}
