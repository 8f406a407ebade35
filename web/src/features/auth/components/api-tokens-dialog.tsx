import { useState, type FormEvent } from 'react'
import { CheckIcon, CopyIcon, KeyRoundIcon, Loader2Icon, Trash2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { errorMessage, type ApiToken } from '@/lib/api'
import { formatRelative } from '@/lib/format'
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from '../hooks/tokens'

function NewSecret({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false)
  const copy = () => {
    void navigator.clipboard?.writeText(secret).then(() => {
      setCopied(true)
      toast.success('Token copied')
    })
  }
  return (
    <div className="rounded-md border border-emerald-200 bg-emerald-50 p-3" data-testid="new-token-secret">
      <p className="mb-2 text-sm font-medium text-emerald-800">
        Copy this token now. It will not be shown again.
      </p>
      <div className="flex items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded bg-card px-2 py-1.5 font-mono text-xs">{secret}</code>
        <Button size="sm" variant="outline" onClick={copy} aria-label="Copy token">
          {copied ? <CheckIcon aria-hidden /> : <CopyIcon aria-hidden />}
        </Button>
      </div>
    </div>
  )
}

function RevokeButton({ token }: { token: ApiToken }) {
  const revoke = useRevokeApiToken()
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button size="icon-sm" variant="ghost" aria-label={`Revoke ${token.name}`} disabled={revoke.isPending}>
          {revoke.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <Trash2Icon aria-hidden />}
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Revoke “{token.name}”?</AlertDialogTitle>
          <AlertDialogDescription>
            Scripts using this token stop working immediately. This cannot be undone.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep it</AlertDialogCancel>
          <AlertDialogAction
            variant="destructive"
            onClick={() =>
              revoke.mutate(token.id, {
                onSuccess: () => toast.success(`Revoked ${token.name}`),
                onError: (error) => toast.error(errorMessage(error)),
              })
            }
          >
            Revoke
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}

function TokensTable({ tokens }: { tokens: ApiToken[] }) {
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Prefix</TableHead>
          <TableHead>Created</TableHead>
          <TableHead>Last used</TableHead>
          <TableHead>Expires</TableHead>
          <TableHead className="w-10">
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {tokens.map((token) => (
          <TableRow key={token.id}>
            <TableCell className="font-medium">{token.name}</TableCell>
            <TableCell>
              <code className="font-mono text-xs text-muted-foreground">{token.prefix}…</code>
            </TableCell>
            <TableCell>{formatRelative(token.created_at)}</TableCell>
            <TableCell>{token.last_used_at ? formatRelative(token.last_used_at) : 'Never'}</TableCell>
            <TableCell>{token.expires_at ? new Date(token.expires_at).toLocaleDateString() : 'Never'}</TableCell>
            <TableCell>
              <RevokeButton token={token} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

/** A name and Create; the new token's secret goes to `onCreated` (it is shown once). */
function CreateTokenForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const create = useCreateApiToken()
  const [name, setName] = useState('')
  const onCreate = (event: FormEvent) => {
    event.preventDefault()
    const trimmed = name.trim()
    if (!trimmed) return
    create.mutate(trimmed, {
      onSuccess: (created) => {
        onCreated(created.secret)
        setName('')
        toast.success(`Created token ${created.token.name}`)
      },
      onError: (error) => toast.error(errorMessage(error)),
    })
  }
  return (
    <form className="flex items-end gap-2" onSubmit={onCreate}>
      <div className="flex flex-1 flex-col gap-1.5">
        <Label htmlFor="token-name">New token name</Label>
        <Input id="token-name" placeholder="e.g. nightly-import" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <Button type="submit" disabled={create.isPending || name.trim().length === 0}>
        {create.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <KeyRoundIcon aria-hidden />}
        Create token
      </Button>
    </form>
  )
}

export function ApiTokensDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const tokens = useApiTokens(open)
  const [secret, setSecret] = useState<string | null>(null)

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) setSecret(null)
        onOpenChange(next)
      }}
    >
      <DialogContent className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>API tokens</DialogTitle>
          <DialogDescription>
            Tokens let scripts and the CLI call the API as you: send one in the{' '}
            <code className="font-mono text-xs">Authorization: Bearer &lt;token&gt;</code> header.
          </DialogDescription>
        </DialogHeader>

        <CreateTokenForm onCreated={setSecret} />

        {secret ? <NewSecret secret={secret} /> : null}

        <div className="rounded-md border">
          {tokens.isPending ? (
            <LoadingState label="Loading tokens…" />
          ) : tokens.isError ? (
            <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
          ) : tokens.data.items.length === 0 ? (
            <EmptyState title="No tokens yet" description="Create one above to use the API from scripts." />
          ) : (
            <TokensTable tokens={tokens.data.items} />
          )}
        </div>
      </DialogContent>
    </Dialog>
  )
}
