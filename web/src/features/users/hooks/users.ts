import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { queryKeys } from '@/lib/api'
import { usersApi } from '../api'
import type { InviteUserRequest, ManagedUser, UpdateUserRequest } from '../types'

export function useUsers(enabled = true) {
  return useQuery({
    queryKey: queryKeys.users.list(),
    queryFn: ({ signal }) => usersApi.list(signal),
    enabled,
  })
}

/** Put a changed user into the cached list, so the table updates without waiting for a refetch. */
function useStoreUser() {
  const queryClient = useQueryClient()
  return (user: ManagedUser) => {
    queryClient.setQueryData<{ items: ManagedUser[] }>(queryKeys.users.list(), (list) =>
      list ? { items: list.items.map((u) => (u.id === user.id ? user : u)) } : list,
    )
    void queryClient.invalidateQueries({ queryKey: queryKeys.users.all() })
    // A change to oneself (a new role, a new name) shows in the sidebar and the user menu at once.
    void queryClient.invalidateQueries({ queryKey: queryKeys.auth.me() })
  }
}

export function useInviteUser() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: InviteUserRequest) => usersApi.invite(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.users.all() }),
  })
}

export function useUpdateUser() {
  const storeUser = useStoreUser()
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: UpdateUserRequest }) => usersApi.update(id, body),
    onSuccess: storeUser,
  })
}

export function useIssueSetupLink() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: number) => usersApi.issueSetupLink(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.users.all() }),
  })
}
