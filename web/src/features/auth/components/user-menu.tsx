import { useState } from 'react'
import { ChevronDownIcon, KeyRoundIcon, LockKeyholeIcon, LogOutIcon } from 'lucide-react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { errorMessage } from '@/lib/api'
import { useLogout, useSession } from '../hooks/session'
import { ApiTokensDialog } from './api-tokens-dialog'
import { ChangePasswordDialog } from './change-password-dialog'

function initials(name: string): string {
  return name.slice(0, 2).toUpperCase()
}

export function UserMenu() {
  const session = useSession()
  const logout = useLogout()
  const navigate = useNavigate()
  const [tokensOpen, setTokensOpen] = useState(false)
  const [passwordOpen, setPasswordOpen] = useState(false)
  const user = session.data?.user
  if (!user) return null

  const signOut = () => {
    logout.mutate(undefined, {
      onSuccess: () => toast.success('Signed out'),
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void navigate('/login', { replace: true }),
    })
  }

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" className="gap-2 px-2" aria-label="User menu">
            <span className="flex size-7 items-center justify-center rounded-full bg-primary/10 text-xs font-semibold text-primary">
              {initials(user.display_name || user.username)}
            </span>
            <span className="hidden text-sm sm:inline">{user.display_name || user.username}</span>
            <ChevronDownIcon className="text-muted-foreground" aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuLabel className="flex items-center justify-between gap-3">
            <span className="truncate" data-testid="user-menu-username">
              {user.username}
            </span>
            <Badge variant="secondary" className="capitalize">
              {user.role}
            </Badge>
          </DropdownMenuLabel>
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setPasswordOpen(true)}>
            <LockKeyholeIcon aria-hidden /> Change password
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setTokensOpen(true)}>
            <KeyRoundIcon aria-hidden /> API tokens
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={signOut} disabled={logout.isPending}>
            <LogOutIcon aria-hidden /> Sign out
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <ApiTokensDialog open={tokensOpen} onOpenChange={setTokensOpen} />
      <ChangePasswordDialog open={passwordOpen} onOpenChange={setPasswordOpen} />
    </>
  )
}
