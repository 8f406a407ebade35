import { useMutation, useQuery } from '@tanstack/react-query'
import { queryKeys } from '@/lib/api'
import { authApi } from '../api'

/** Whether nobody has an account yet (the login page then points to the setup link). */
export function useFirstRun() {
  return useQuery({
    queryKey: queryKeys.auth.firstRun(),
    queryFn: ({ signal }) => authApi.firstRun(signal),
    retry: false,
    staleTime: 30_000,
  })
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) => authApi.changePassword(body),
  })
}
