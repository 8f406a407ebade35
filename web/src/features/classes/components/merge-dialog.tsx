import { useState } from 'react'
import { ArrowRightIcon, Loader2Icon, MergeIcon } from 'lucide-react'
import { toast } from 'sonner'
import { ErrorState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Label } from '@/components/ui/label'
import { SearchInput } from '@/components/ui/search-input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { errorMessage, type MergePreview, type OdClass } from '@/lib/api'
import { formatCount, countOf } from '@/lib/format'
import { useMergeClasses, useMergePreview } from '../hooks/classes'
import { ColorSwatch } from './color-field'

function Stat({ label, value, testId }: { label: string; value: number | undefined; testId: string }) {
  return (
    <div className="rounded-md border bg-muted/30 px-3 py-2">
      <div className="text-xs text-muted-foreground">{label}</div>
      {value === undefined ? (
        <Skeleton className="mt-1 h-6 w-10" />
      ) : (
        <div className="text-lg font-semibold tabular-nums" data-testid={testId}>
          {formatCount(value)}
        </div>
      )}
    </div>
  )
}

/** The classes to merge away, ticked in a list that a search narrows (catalogues run to hundreds). */
function SourceList({
  classes,
  sources,
  targetId,
  onChange,
}: {
  classes: OdClass[]
  sources: number[]
  targetId: number | null
  onChange: (update: (current: number[]) => number[]) => void
}) {
  const [q, setQ] = useState('')
  const needle = q.trim().toLowerCase()
  const shown = needle
    ? classes.filter((c) => [c.name, c.display_name, ...c.aliases].some((n) => n.toLowerCase().includes(needle)))
    : classes
  return (
    <div className="flex flex-col gap-1.5">
      <Label>Source classes</Label>
      <SearchInput placeholder="Search classes" aria-label="Search source classes" value={q} onChange={(e) => setQ(e.target.value)} />
      <ul className="max-h-56 divide-y overflow-y-auto rounded-md border" aria-label="Source classes">
        {shown.length === 0 ? <li className="px-3 py-2 text-sm text-muted-foreground">No class matches “{q.trim()}”.</li> : null}
        {shown.map((c) => (
          <li key={c.id}>
            <label className="flex items-center gap-2 px-3 py-1.5 text-sm">
              <Checkbox
                checked={sources.includes(c.id)}
                disabled={c.id === targetId}
                aria-label={`Merge ${c.name}`}
                onCheckedChange={(checked) =>
                  onChange((current) => (checked === true ? [...current, c.id] : current.filter((id) => id !== c.id)))
                }
              />
              <ColorSwatch color={c.color} />
              <span className="min-w-0 flex-1 truncate">{c.name}</span>
              <span className="text-xs text-muted-foreground tabular-nums">{formatCount(c.annotation_count)}</span>
            </label>
          </li>
        ))}
      </ul>
    </div>
  )
}

/** The class to keep, with its colour and how many annotations it has today. */
function TargetPicker({ classes, value, onChange, kept }: { classes: OdClass[]; value: string; onChange: (id: string) => void; kept: OdClass | undefined }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label>Target class</Label>
      <Select value={value} onValueChange={onChange}>
        <SelectTrigger aria-label="Target class" data-testid="merge-target">
          <SelectValue placeholder="Choose the class to keep" />
        </SelectTrigger>
        <SelectContent>
          {classes.map((c) => (
            <SelectItem key={c.id} value={String(c.id)}>
              <span className="flex items-center gap-2">
                <ColorSwatch color={c.color} />
                {c.name}
              </span>
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      {kept ? (
        <p className="text-xs text-muted-foreground">
          Keeps its colour and settings; {countOf(kept.annotation_count, 'annotation')} today.
        </p>
      ) : null}
    </div>
  )
}

/** What the merge touches: annotations, images and datasets, and the aliases the target gains. */
function MergeImpact({ preview, error }: { preview: MergePreview | undefined; error: unknown }) {
  if (error) return <ErrorState error={error} title="Could not preview the merge" className="py-4" />
  return (
    <>
      <div className="grid grid-cols-3 gap-2">
        <Stat label="Annotations moved" value={preview?.annotations} testId="merge-annotations" />
        <Stat label="Images touched" value={preview?.images} testId="merge-images" />
        <Stat label="Datasets touched" value={preview?.datasets.length} testId="merge-datasets" />
      </div>
      {preview && preview.datasets.length > 0 ? (
        <ul className="flex flex-col gap-1 text-sm text-muted-foreground">
          {preview.datasets.map((d) => (
            <li key={d.dataset_id}>
              {d.dataset_name}: {countOf(d.annotations, 'annotation')} on {countOf(d.images, 'image')}
            </li>
          ))}
        </ul>
      ) : null}
      {preview && preview.aliases_added.length > 0 ? (
        <div className="flex flex-wrap items-center gap-1 text-sm">
          <span className="text-muted-foreground">New aliases of {preview.target.name}:</span>
          {preview.aliases_added.map((a) => (
            <Badge key={a} variant="outline">
              {a}
            </Badge>
          ))}
        </div>
      ) : null}
    </>
  )
}

/** Merge source classes into a target: their annotations move, their names become the target's aliases. */
export function MergeDialog({
  classes,
  initialSources,
  initialTarget,
  canMerge,
  onClose,
}: {
  classes: OdClass[]
  initialSources: number[]
  initialTarget?: number
  canMerge: boolean
  onClose: () => void
}) {
  const [sources, setSources] = useState<number[]>(initialSources)
  const [target, setTarget] = useState<string>(initialTarget ? String(initialTarget) : '')
  const targetId = Number(target) || null
  const effectiveSources = sources.filter((id) => id !== targetId)
  const request = targetId && effectiveSources.length > 0 ? { source_ids: effectiveSources, target_id: targetId } : null
  const merge = useMergeClasses()
  const preview = useMergePreview(request, merge.isIdle)
  const byId = new Map(classes.map((c) => [c.id, c]))

  const confirm = () => {
    if (!request) return
    merge.mutate(request, {
      onSuccess: (result) => {
        toast.success(
          `Merged ${result.merged.map((m) => m.name).join(', ')} into ${result.target.name}: ` +
            `${formatCount(result.annotations_moved)} annotation${result.annotations_moved === 1 ? '' : 's'} moved`,
        )
        onClose()
      },
      onError: (error) => toast.error(errorMessage(error)),
    })
  }

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-2xl" data-testid="merge-dialog">
        <DialogHeader>
          <DialogTitle>Merge classes</DialogTitle>
          <DialogDescription>
            Every annotation of the source classes moves to the target; the sources are removed and their names become
            aliases of the target.
          </DialogDescription>
        </DialogHeader>
        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_auto_minmax(0,1fr)] sm:items-start">
          <SourceList classes={classes} sources={sources} targetId={targetId} onChange={setSources} />
          <ArrowRightIcon className="mx-auto hidden size-5 text-muted-foreground sm:mt-9 sm:block" aria-hidden />
          <TargetPicker classes={classes} value={target} onChange={setTarget} kept={targetId ? byId.get(targetId) : undefined} />
        </div>

        {request ? (
          <div className="flex flex-col gap-3" data-testid="merge-preview">
            <MergeImpact preview={preview.data} error={preview.isError ? preview.error : null} />
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">Pick at least one source and a target to see what the merge touches.</p>
        )}
        {!canMerge ? <p className="text-sm text-amber-700">Only admins can merge classes.</p> : null}

        <DialogFooter>
          <Button variant="outline" onClick={onClose} disabled={merge.isPending}>
            Cancel
          </Button>
          <Button
            onClick={confirm}
            disabled={!request || !preview.isSuccess || merge.isPending || !canMerge}
            data-testid="confirm-merge"
          >
            {merge.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <MergeIcon aria-hidden />}
            Merge {effectiveSources.length > 0 ? effectiveSources.length : ''} into{' '}
            {targetId ? (byId.get(targetId)?.name ?? 'target') : 'target'}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
