/** Shapes of the user management API (`/auth/users`, admins only). */
import type { Role, User } from '@/lib/api'

/** A user as an admin sees them. */
export interface ManagedUser extends User {
  display_name: string
  is_active: boolean
  /** False until the person opens their setup link and chooses a password. */
  has_password: boolean
  last_login_at: string | null
  created_at: string
}

export interface InviteUserRequest {
  username: string
  display_name?: string
  role: Role
}

export interface UpdateUserRequest {
  display_name?: string
  role?: Role
  is_active?: boolean
}

/** A one-time link to set a password: shown once, never retrievable again. */
export interface IssuedSetupLink {
  user: ManagedUser
  setup_link: string
  expires_at: string
}

export type UserStatus = 'active' | 'invited' | 'deactivated'

export function userStatus(user: ManagedUser): UserStatus {
  if (!user.is_active) return 'deactivated'
  return user.has_password ? 'active' : 'invited'
}

export const ROLES: { value: Role; label: string; description: string }[] = [
  { value: 'admin', label: 'Admin', description: 'Everything, including users and deleting datasets' },
  { value: 'annotator', label: 'Annotator', description: 'Uploads, imports and labels' },
  { value: 'viewer', label: 'Viewer', description: 'Looks, changes nothing' },
]
