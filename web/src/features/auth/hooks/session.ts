import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { queryKeys, rememberCsrfToken, type LoginRequest, type Session, type SetupRequest } from '@/lib/api'
import { authApi } from '../api'

/** The signed-in person. 401 surfaces as an ApiError for RequireAuth to act on. */
export function useSession() {
  return useQuery({
    queryKey: queryKeys.auth.me(),
    queryFn: async ({ signal }) => {
      const session = await authApi.me(signal)
      rememberCsrfToken(session.csrf_token)
      return session
    },
    retry: false,
    staleTime: 5 * 60_000,
  })
}

function useStoreSession() {
  const queryClient = useQueryClient()
  return (session: Session) => {
    rememberCsrfToken(session.csrf_token)
    queryClient.setQueryData(queryKeys.auth.me(), session)
  }
}

export function useLogin() {
  const storeSession = useStoreSession()
  return useMutation({
    mutationFn: (body: LoginRequest) => authApi.login(body),
    onSuccess: storeSession,
  })
}

export function useSetupLink(token: string) {
  return useQuery({
    queryKey: queryKeys.auth.setup(token),
    queryFn: ({ signal }) => authApi.setupInfo(token, signal),
    enabled: token.length > 0,
    retry: false,
    staleTime: Infinity,
  })
}

export function useCompleteSetup() {
  const storeSession = useStoreSession()
  return useMutation({
    mutationFn: (body: SetupRequest) => authApi.setup(body),
    onSuccess: storeSession,
  })
}

export function useLogout() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => authApi.logout(),
    onSettled: () => {
      rememberCsrfToken(null)
      queryClient.clear()
    },
  })
}

/** Where to go after signing in: only same-origin paths are honoured. */
export function safeNextPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//')) return '/od'
  if (next.startsWith('/login') || next.startsWith('/setup')) return '/od'
  return next
}
