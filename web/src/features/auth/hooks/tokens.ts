import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { queryKeys } from '@/lib/api'
import { authApi } from '../api'

export function useApiTokens(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.auth.tokens(),
    queryFn: ({ signal }) => authApi.listTokens(signal),
    enabled,
  })
}

export function useCreateApiToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (name: string) => authApi.createToken(name),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.auth.tokens() }),
  })
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: number) => authApi.revokeToken(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.auth.tokens() }),
  })
}
