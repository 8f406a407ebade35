/** The auth endpoints: session, login/logout, first-admin setup links, API tokens. */
import {
  api,
  apiRequest,
  type ApiToken,
  type CreatedApiToken,
  type LoginRequest,
  type Session,
  type SetupLinkInfo,
  type SetupRequest,
} from '@/lib/api'

export const authApi = {
  /** The signed-in person; 401 is left to the caller (no redirect). */
  me: (signal?: AbortSignal) => apiRequest<Session>('/auth/me', { signal, skipAuthRedirect: true }),
  login: (body: LoginRequest) => api.post<Session>('/auth/login', body, { skipAuthRedirect: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { skipAuthRedirect: true }),
  setupInfo: (token: string, signal?: AbortSignal) =>
    apiRequest<SetupLinkInfo>('/auth/setup', { query: { token }, signal, skipAuthRedirect: true }),
  setup: (body: SetupRequest) => api.post<Session>('/auth/setup', body, { skipAuthRedirect: true }),
  listTokens: (signal?: AbortSignal) => api.get<{ items: ApiToken[] }>('/auth/tokens', undefined, signal),
  createToken: (name: string) => api.post<CreatedApiToken>('/auth/tokens', { name }),
  revokeToken: (id: number) => api.delete(`/auth/tokens/${id}`),
  /** Public: whether this is a fresh install still waiting for its first admin. */
  firstRun: (signal?: AbortSignal) =>
    apiRequest<{ setup_required: boolean }>('/auth/first-run', { signal, skipAuthRedirect: true }),
  changePassword: (body: { current_password: string; new_password: string }) =>
    api.put<void>('/auth/me/password', body),
}
