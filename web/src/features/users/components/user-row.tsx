import { KeyRoundIcon, Link2Icon, MoreHorizontalIcon, UserCheckIcon, UserXIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { TableCell, TableRow } from '@/components/ui/table'
import { errorMessage, type Role } from '@/lib/api'
import { formatDateTime, formatRelative } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useUpdateUser } from '../hooks/users'
import { ROLES, userStatus, type ManagedUser, type UserStatus } from '../types'
import { RoleSelect } from './role-select'

const STATUS: Record<UserStatus, { label: string; variant: 'success' | 'warning' | 'secondary'; hint: string }> = {
  active: { label: 'Active', variant: 'success', hint: 'Can sign in' },
  invited: { label: 'Invited', variant: 'warning', hint: 'Has not opened their setup link yet' },
  deactivated: { label: 'Deactivated', variant: 'secondary', hint: 'Cannot sign in; tokens revoked' },
}

export type UserAction = { kind: 'link' | 'deactivate'; user: ManagedUser }

interface UserRowProps {
  user: ManagedUser
  isSelf: boolean
  onAction: (action: UserAction) => void
}

function UserIdentity({ user, isSelf }: { user: ManagedUser; isSelf: boolean }) {
  const name = user.display_name || user.username
  return (
    <div className="flex items-center gap-3">
      <span
        className={cn(
          'flex size-8 shrink-0 items-center justify-center rounded-full text-xs font-semibold',
          user.is_active ? 'bg-primary/10 text-primary' : 'bg-muted text-muted-foreground',
        )}
        aria-hidden
      >
        {name.slice(0, 2).toUpperCase()}
      </span>
      <div className="flex min-w-0 flex-col">
        <span className="flex items-center gap-2 font-medium text-foreground">
          <span className="truncate">{name}</span>
          {isSelf ? <Badge variant="outline">You</Badge> : null}
        </span>
        <span className="truncate text-xs text-muted-foreground">@{user.username}</span>
      </div>
    </div>
  )
}

function UserActions({ user, isSelf, onAction, onReactivate }: UserRowProps & { onReactivate: () => void }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${user.username}`}>
          <MoreHorizontalIcon aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuItem disabled={!user.is_active} onSelect={() => onAction({ kind: 'link', user })}>
          {user.has_password ? <KeyRoundIcon aria-hidden /> : <Link2Icon aria-hidden />}
          {user.has_password ? 'Password reset link…' : 'New invite link…'}
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        {user.is_active ? (
          <DropdownMenuItem
            className="text-destructive"
            disabled={isSelf}
            onSelect={() => onAction({ kind: 'deactivate', user })}
          >
            <UserXIcon aria-hidden /> {isSelf ? 'Deactivate (not yourself)' : 'Deactivate…'}
          </DropdownMenuItem>
        ) : (
          <DropdownMenuItem onSelect={onReactivate}>
            <UserCheckIcon aria-hidden /> Reactivate
          </DropdownMenuItem>
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  )
}

/** One user: name, role (changed in place), status, last sign-in and the row's actions. */
export function UserRow({ user, isSelf, onAction }: UserRowProps) {
  const update = useUpdateUser()
  const status = STATUS[userStatus(user)]

  const changeRole = (role: Role) => {
    if (role === user.role) return
    const label = ROLES.find((r) => r.value === role)?.label.toLowerCase() ?? role
    const article = role === 'viewer' ? 'a' : 'an'
    update.mutate(
      { id: user.id, body: { role } },
      {
        onSuccess: () => toast.success(`${user.username} is now ${article} ${label}`),
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  }
  const reactivate = () =>
    update.mutate(
      { id: user.id, body: { is_active: true } },
      {
        onSuccess: () => toast.success(`Reactivated ${user.username}`),
        onError: (error) => toast.error(errorMessage(error)),
      },
    )

  return (
    <TableRow data-testid="user-row" data-username={user.username} className={cn(!user.is_active && 'text-muted-foreground')}>
      <TableCell>
        <UserIdentity user={user} isSelf={isSelf} />
      </TableCell>
      <TableCell>
        <RoleSelect
          value={user.role}
          onChange={changeRole}
          disabled={update.isPending}
          aria-label={`Role of ${user.username}`}
          className="h-8 w-36"
        />
      </TableCell>
      <TableCell>
        <Badge variant={status.variant} title={status.hint} data-testid="user-status">
          {status.label}
        </Badge>
      </TableCell>
      <TableCell title={formatDateTime(user.last_login_at)}>
        {user.last_login_at ? formatRelative(user.last_login_at) : <span className="text-muted-foreground">Never</span>}
      </TableCell>
      <TableCell className="text-muted-foreground" title={formatDateTime(user.created_at)}>
        {formatRelative(user.created_at)}
      </TableCell>
      <TableCell className="text-right">
        <UserActions user={user} isSelf={isSelf} onAction={onAction} onReactivate={reactivate} />
      </TableCell>
    </TableRow>
  )
}
