/** The user management endpoints (admins only). */
import { api } from '@/lib/api'
import type { InviteUserRequest, IssuedSetupLink, ManagedUser, UpdateUserRequest } from './types'

export const usersApi = {
  list: (signal?: AbortSignal) => api.get<{ items: ManagedUser[] }>('/auth/users', undefined, signal),
  invite: (body: InviteUserRequest) => api.post<IssuedSetupLink>('/auth/users', body),
  update: (id: number, body: UpdateUserRequest) => api.patch<ManagedUser>(`/auth/users/${id}`, body),
  /** A new one-time link (lost invite or forgotten password); earlier unused links stop working. */
  issueSetupLink: (id: number) => api.post<IssuedSetupLink>(`/auth/users/${id}/setup-link`),
}
