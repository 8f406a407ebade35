import { useMemo, useState } from 'react'
import { SearchIcon, ShieldIcon, UserPlusIcon } from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useSession } from '@/features/auth'
import { DeactivateUserDialog } from '../components/deactivate-user-dialog'
import { InviteUserDialog } from '../components/invite-user-dialog'
import { SetupLinkDialog } from '../components/setup-link-dialog'
import { UserRow, type UserAction } from '../components/user-row'
import { useUsers } from '../hooks/users'
import { userStatus, type ManagedUser } from '../types'

type Dialog = { kind: 'invite' } | UserAction

function summary(users: ManagedUser[]): string {
  const counts = { active: 0, invited: 0, deactivated: 0 }
  for (const user of users) counts[userStatus(user)] += 1
  const parts = [`${counts.active} active`]
  if (counts.invited) parts.push(`${counts.invited} invited`)
  if (counts.deactivated) parts.push(`${counts.deactivated} deactivated`)
  return parts.join(' · ')
}

function matches(user: ManagedUser, q: string): boolean {
  const needle = q.trim().toLowerCase()
  return !needle || user.username.includes(needle) || user.display_name.toLowerCase().includes(needle)
}

function LoadingRows() {
  return (
    <>
      {[0, 1, 2].map((i) => (
        <TableRow key={i}>
          <TableCell colSpan={6}>
            <Skeleton className="h-8 w-full" />
          </TableCell>
        </TableRow>
      ))}
    </>
  )
}

function NotAdmin() {
  return (
    <div>
      <PageHeader eyebrow="Admin" title="Users" />
      <Card>
        <EmptyState
          icon={<ShieldIcon aria-hidden />}
          title="Only admins manage users"
          description="Ask an admin to invite someone or to change a role. You can change your own password from the user menu."
        />
      </Card>
    </div>
  )
}

interface UsersTableProps {
  users: ReturnType<typeof useUsers>
  shown: ManagedUser[]
  q: string
  meId: number | undefined
  onAction: (action: UserAction) => void
}

function UsersTable({ users, shown, q, meId, onAction }: UsersTableProps) {
  if (users.isError) {
    return <ErrorState error={users.error} title="Could not load the users" onRetry={() => void users.refetch()} />
  }
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>User</TableHead>
          <TableHead className="w-44">Role</TableHead>
          <TableHead className="w-32">Status</TableHead>
          <TableHead className="w-36">Last sign-in</TableHead>
          <TableHead className="w-32">Added</TableHead>
          <TableHead className="w-12">
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {users.isPending ? (
          <LoadingRows />
        ) : shown.length === 0 ? (
          <TableRow>
            <TableCell colSpan={6}>
              <EmptyState title="No users match" description={`Nobody's name contains “${q.trim()}”.`} />
            </TableCell>
          </TableRow>
        ) : (
          shown.map((user) => <UserRow key={user.id} user={user} isSelf={user.id === meId} onAction={onAction} />)
        )}
      </TableBody>
    </Table>
  )
}

export function UsersPage() {
  const session = useSession()
  const me = session.data?.user
  const isAdmin = me?.role === 'admin'
  const users = useUsers(isAdmin)
  const [q, setQ] = useState('')
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const shown = useMemo(() => (users.data?.items ?? []).filter((u) => matches(u, q)), [users.data, q])
  const close = () => setDialog(null)

  if (me && !isAdmin) return <NotAdmin />

  return (
    <div>
      <PageHeader
        eyebrow="Admin"
        title="Users"
        description={
          <>
            Invite people with a one-time link, set what they may do, and deactivate accounts that should no longer
            sign in. {users.data ? <span data-testid="users-summary">{summary(users.data.items)}.</span> : null}
          </>
        }
        actions={
          <Button onClick={() => setDialog({ kind: 'invite' })} disabled={!isAdmin}>
            <UserPlusIcon aria-hidden /> Invite user
          </Button>
        }
      />
      <Card className="overflow-hidden">
        <div className="flex items-center gap-2 border-b px-4 py-3">
          <div className="relative w-full max-w-xs">
            <SearchIcon className="absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
            <Input
              className="pl-8"
              placeholder="Search by name"
              aria-label="Search users"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
          </div>
        </div>
        <UsersTable users={users} shown={shown} q={q} meId={me?.id} onAction={setDialog} />
      </Card>
      {dialog?.kind === 'invite' ? <InviteUserDialog onClose={close} /> : null}
      {dialog?.kind === 'link' ? <SetupLinkDialog user={dialog.user} onClose={close} /> : null}
      {dialog?.kind === 'deactivate' ? <DeactivateUserDialog user={dialog.user} onClose={close} /> : null}
    </div>
  )
}
