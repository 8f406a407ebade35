import { useState, type FormEvent } from 'react'
import { Loader2Icon, SnowflakeIcon, Trash2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { errorMessage, type PrVersion } from '@/lib/api'
import { formatCount, formatDateTime } from '@/lib/format'
import { useDeleteVersion, useFreezeVersion, usePrVersions } from '../hooks/queries'
import { ConfirmAction } from './confirm-action'

function countsText(counts: PrVersion['counts']): string {
  const parts = [
    counts.products !== undefined ? `${formatCount(counts.products)} products` : null,
    counts.images !== undefined ? `${formatCount(counts.images)} images` : null,
    counts.excluded ? `${formatCount(counts.excluded)} excluded` : null,
  ]
  return parts.filter(Boolean).join(' · ') || '—'
}

function VersionRow({ datasetId, version, canWrite }: { datasetId: number; version: PrVersion; canWrite: boolean }) {
  const remove = useDeleteVersion(datasetId)
  return (
    <li className="flex items-start gap-2 py-2" data-testid="pr-version" data-number={version.number}>
      <span className="rounded-md bg-muted px-1.5 py-0.5 text-xs font-semibold tabular-nums">v{version.number}</span>
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium">{version.name || `Version ${version.number}`}</p>
        <p className="text-xs text-muted-foreground" data-testid="pr-version-counts">
          {countsText(version.counts)}
        </p>
        <p className="text-xs text-muted-foreground">{formatDateTime(version.created_at)}</p>
      </div>
      {canWrite ? (
        <ConfirmAction
          trigger={
            <Button variant="ghost" size="icon-sm" aria-label={`Delete version ${version.number}`}>
              <Trash2Icon aria-hidden />
            </Button>
          }
          title={`Delete version ${version.number}?`}
          description="Its frozen product and image lists go; the dataset and its products stay."
          onConfirm={() =>
            remove.mutateAsync(version.id).then(
              () => toast.success(`Deleted version ${version.number}`),
              (e: unknown) => {
                toast.error(errorMessage(e))
                throw e
              },
            )
          }
        />
      ) : null}
    </li>
  )
}

/** Frozen versions: the exact product and image lists a training run records. */
export function VersionsCard({ datasetId, canWrite }: { datasetId: number; canWrite: boolean }) {
  const versions = usePrVersions(datasetId)
  const freeze = useFreezeVersion(datasetId)
  const [name, setName] = useState('')
  const submit = (event: FormEvent) => {
    event.preventDefault()
    freeze.mutate(name.trim() || null, {
      onSuccess: (v) => {
        toast.success(`Froze version ${v.number}`)
        setName('')
      },
      onError: (e) => toast.error(errorMessage(e)),
    })
  }
  const items = versions.data ?? []
  return (
    <Card data-testid="pr-versions">
      <CardHeader>
        <CardTitle className="text-base">Versions</CardTitle>
        <CardDescription>Freeze the dataset as it is now: later changes to products or images leave a version as it was.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {canWrite ? (
          <form onSubmit={submit} className="flex gap-2">
            <Input aria-label="Version name" placeholder="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} className="min-w-0 flex-1" />
            <Button type="submit" disabled={freeze.isPending} data-testid="freeze-version">
              {freeze.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <SnowflakeIcon aria-hidden />}
              Freeze
            </Button>
          </form>
        ) : null}
        {versions.isError ? (
          <ErrorState error={versions.error} title="Could not load versions" className="py-4" />
        ) : items.length === 0 ? (
          <p className="text-sm text-muted-foreground">{versions.isPending ? 'Loading…' : 'No version frozen yet.'}</p>
        ) : (
          <ul className="divide-y">
            {items.map((v) => (
              <VersionRow key={v.id} datasetId={datasetId} version={v} canWrite={canWrite} />
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  )
}
