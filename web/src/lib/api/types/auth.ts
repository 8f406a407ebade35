/** Sessions, first-admin setup links and API tokens (`/auth`). */

export type Role = 'admin' | 'annotator' | 'viewer'

export interface User {
  id: number
  username: string
  display_name: string | null
  role: Role
  is_active?: boolean
  last_login_at?: string | null
  created_at?: string
}

export interface Session {
  user: User
  csrf_token: string
}

export interface LoginRequest {
  username: string
  password: string
}

export type SetupPurpose = 'first_admin' | 'set_password'

export interface SetupLinkInfo {
  purpose: SetupPurpose
  username: string | null
}

export interface SetupRequest {
  token: string
  username?: string
  password: string
}

export interface ApiToken {
  id: number
  name: string
  prefix: string
  created_at: string
  last_used_at: string | null
  expires_at: string | null
}

export interface CreatedApiToken {
  token: ApiToken
  /** Shown once, never retrievable again. */
  secret: string
}
