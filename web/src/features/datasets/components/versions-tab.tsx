import { useEffect, useRef, useState, type FormEvent } from 'react'
import { DownloadIcon, GitCommitHorizontalIcon, Loader2Icon, PlusIcon } from 'lucide-react'
import { toast } from 'sonner'
import { EmptyState, ErrorState } from '@/components/states'
import { Badge, type BadgeProps } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { Textarea } from '@/components/ui/textarea'
import { JobProgress, useLiveJob } from '@/features/jobs'
import { useQueryClient } from '@tanstack/react-query'
import { errorMessage, queryKeys, type DatasetFormat, type DatasetVersion, type VersionStatus } from '@/lib/api'
import { formatCount, formatDateTime, formatRelative, countOf } from '@/lib/format'
import { useCreateVersion, useStartExport, useVersion, useVersions } from '../hooks/versions'
import { ExportJob } from './export-job'
import { ExportFormatSelect } from './export-format-select'
import { DEFAULT_RATIOS, parseRatios, SplitRatiosFields, type RatioDraft } from './split-ratios'

const SPLITS = ['train', 'val', 'test'] as const

const STATUS_BADGE: Record<VersionStatus, { label: string; variant: NonNullable<BadgeProps['variant']> }> = {
  building: { label: 'Building', variant: 'info' },
  ready: { label: 'Ready', variant: 'success' },
  failed: { label: 'Failed', variant: 'destructive' },
}

function VersionStatusBadge({ status }: { status: VersionStatus }) {
  const style = STATUS_BADGE[status]
  return (
    <Badge variant={style.variant} data-testid="version-status" data-status={status}>
      {status === 'building' ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
      {style.label}
    </Badge>
  )
}

function versionLabel(v: Pick<DatasetVersion, 'number' | 'name'>): string {
  return v.name ? `v${v.number} · ${v.name}` : `v${v.number}`
}

function BuildProgress({ jobId }: { jobId: number }) {
  const { job } = useLiveJob(jobId)
  if (!job.data) return null
  return <JobProgress job={job.data} compact className="max-w-48" />
}

// ---- create -------------------------------------------------------------------

function Option({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <div className="flex items-center gap-2">
      <Checkbox id={id} checked={checked} onCheckedChange={(v) => onChange(v === true)} />
      <Label htmlFor={id} className="font-normal">
        {label}
      </Label>
    </div>
  )
}

interface SplitDraft {
  ratios: RatioDraft
  seed: string
  stratified: boolean
  keepAssigned: boolean
  includeUnannotated: boolean
}

const INITIAL_SPLIT: SplitDraft = { ratios: DEFAULT_RATIOS, seed: '0', stratified: false, keepAssigned: true, includeUnannotated: true }

/** A whole number of 0 or more, or null. */
function seedOf(text: string): number | null {
  const n = Number(text)
  return text.trim() !== '' && Number.isInteger(n) && n >= 0 ? n : null
}

/** How the version splits its images: ratios, seed, stratification, and what it includes. */
function SplitFields({ value, onChange }: { value: SplitDraft; onChange: (next: SplitDraft) => void }) {
  const set =
    <K extends keyof SplitDraft>(key: K) =>
    (v: SplitDraft[K]) =>
      onChange({ ...value, [key]: v })
  return (
    <>
      <SplitRatiosFields idPrefix="version-split" value={value.ratios} onChange={set('ratios')} />
      <div className="grid grid-cols-[8rem_1fr] items-start gap-4">
        <div className="flex flex-col gap-1">
          <Label htmlFor="version-seed" className="text-xs">
            Seed
          </Label>
          <Input id="version-seed" type="number" min={0} step={1} value={value.seed} aria-invalid={seedOf(value.seed) === null} onChange={(e) => set('seed')(e.target.value)} />
        </div>
        <div className="flex flex-col gap-2 pt-5">
          <Option id="version-stratified" label="Stratified (balance each split by class)" checked={value.stratified} onChange={set('stratified')} />
          <Option id="version-keep" label="Keep previously assigned splits" checked={value.keepAssigned} onChange={set('keepAssigned')} />
          <Option id="version-unannotated" label="Include images without annotations" checked={value.includeUnannotated} onChange={set('includeUnannotated')} />
        </div>
      </div>
    </>
  )
}

export function CreateVersionDialog({
  datasetId,
  open,
  onOpenChange,
  onCreated,
}: {
  datasetId: number
  open: boolean
  onOpenChange: (open: boolean) => void
  onCreated?: (version: DatasetVersion) => void
}) {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [split, setSplit] = useState<SplitDraft>(INITIAL_SPLIT)
  const create = useCreateVersion(datasetId)
  const parsed = parseRatios(split.ratios)
  const seed = seedOf(split.seed)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if ('error' in parsed || seed === null) return
    create.mutate(
      {
        name: name.trim(),
        description: description.trim(),
        split: { ratios: parsed.ratios, seed, stratified: split.stratified, keep_assigned: split.keepAssigned },
        include_unannotated: split.includeUnannotated,
      },
      {
        onSuccess: ({ version, job }) => {
          toast.success(`Building ${versionLabel(version)} (job #${job.id})`)
          onCreated?.(version)
          onOpenChange(false)
          setName('')
          setDescription('')
        },
        onError: (error) => toast.error(`Could not create the version: ${errorMessage(error)}`),
      },
    )
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="create-version-dialog">
        <DialogHeader>
          <DialogTitle>Create version</DialogTitle>
          <DialogDescription>
            A frozen snapshot of the images, annotations and classes as they are now, with a train/val/test split.
          </DialogDescription>
        </DialogHeader>
        <form className="flex flex-col gap-4" onSubmit={submit}>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="version-name">Name</Label>
            <Input id="version-name" placeholder="e.g. baseline" value={name} maxLength={255} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="version-description">Description</Label>
            <Textarea id="version-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <SplitFields value={split} onChange={setSplit} />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" disabled={'error' in parsed || seed === null || create.isPending} data-testid="create-version">
              {create.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Create version
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

// ---- detail -------------------------------------------------------------------

function QuickExport({ datasetId, version }: { datasetId: number; version: DatasetVersion }) {
  const [format, setFormat] = useState<DatasetFormat>('yolo')
  const [jobIds, setJobIds] = useState<number[]>([])
  const start = useStartExport(datasetId)
  const ready = version.status === 'ready'
  return (
    <section className="flex flex-col gap-3" data-testid="quick-export">
      <h3 className="text-sm font-medium">Quick export</h3>
      <div className="flex items-center gap-2">
        <ExportFormatSelect label="Export format" className="w-40" testId="quick-export-format" value={format} onChange={setFormat} />
        <Button
          disabled={!ready || start.isPending}
          data-testid="quick-export-start"
          onClick={() =>
            start.mutate(
              { kind: 'version', format, version: version.number },
              {
                onSuccess: ({ job }) => {
                  setJobIds((ids) => [job.id, ...ids])
                  toast.success(`Exporting v${version.number} as ${format.toUpperCase()} (job #${job.id})`)
                },
                onError: (error) => toast.error(`Export refused: ${errorMessage(error)}`),
              },
            )
          }
        >
          {start.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <DownloadIcon aria-hidden />}
          Export
        </Button>
      </div>
      {!ready ? <p className="text-xs text-muted-foreground">A version can be exported once it is ready.</p> : null}
      {jobIds.map((id) => (
        <ExportJob key={id} jobId={id} />
      ))}
    </section>
  )
}

function splitConfigText(config: DatasetVersion['split_config']): string {
  const ratios = config.ratios
  const parts: string[] = []
  if (ratios && typeof ratios === 'object' && !Array.isArray(ratios)) {
    parts.push(SPLITS.map((s) => `${s} ${String(ratios[s] ?? '—')}`).join(' / '))
  }
  if (typeof config.seed === 'number') parts.push(`seed ${config.seed}`)
  if (config.stratified === true) parts.push('stratified')
  if (config.keep_assigned === true) parts.push('kept assigned splits')
  if (config.keep_assigned === false) parts.push('re-split every image')
  return parts.join(' · ')
}

function SplitCounts({ version: v }: { version: DatasetVersion }) {
  return (
    <section className="flex flex-col gap-2">
      <h3 className="text-sm font-medium">Per split</h3>
      <Table aria-label="Images and annotations per split" data-testid="version-split-table">
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Split</TableHead>
            <TableHead className="text-right">Images</TableHead>
            <TableHead className="text-right">Annotations</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {SPLITS.map((split) => (
            <TableRow key={split} data-split={split}>
              <TableCell className="capitalize">{split}</TableCell>
              <TableCell className="text-right tabular-nums" data-testid={`detail-images-${split}`}>
                {formatCount(v.counts.images[split] ?? 0)}
              </TableCell>
              <TableCell className="text-right tabular-nums" data-testid={`detail-annotations-${split}`}>
                {formatCount(v.counts.annotations[split] ?? 0)}
              </TableCell>
            </TableRow>
          ))}
          <TableRow className="font-medium">
            <TableCell>Total</TableCell>
            <TableCell className="text-right tabular-nums" data-testid="detail-images-total">
              {formatCount(v.counts.total_images)}
            </TableCell>
            <TableCell className="text-right tabular-nums" data-testid="detail-annotations-total">
              {formatCount(v.counts.total_annotations)}
            </TableCell>
          </TableRow>
        </TableBody>
      </Table>
      <p className="text-xs text-muted-foreground">{splitConfigText(v.split_config)}</p>
    </section>
  )
}

/** The frozen class index per class, and the classes counted that the mapping does not name. */
function ClassMapping({ version: v }: { version: DatasetVersion }) {
  const classes = Object.entries(v.counts.classes).sort(([, a], [, b]) => b - a)
  return (
    <section className="flex flex-col gap-2">
      <h3 className="text-sm font-medium">Class mapping (frozen)</h3>
      {v.class_mapping.length === 0 ? (
        <p className="text-sm text-muted-foreground">No classes in this version.</p>
      ) : (
        <Table aria-label="Class mapping" data-testid="version-class-mapping">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="w-16">Index</TableHead>
              <TableHead>Class</TableHead>
              <TableHead className="text-right">Annotations</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {v.class_mapping.map((c) => (
              <TableRow key={c.class_id}>
                <TableCell className="tabular-nums">{c.index}</TableCell>
                <TableCell className="font-medium">{c.name}</TableCell>
                <TableCell className="text-right tabular-nums">{formatCount(v.counts.classes[c.name] ?? 0)}</TableCell>
              </TableRow>
            ))}
            {classes
              .filter(([name]) => !v.class_mapping.some((c) => c.name === name))
              .map(([name, n]) => (
                <TableRow key={name}>
                  <TableCell>—</TableCell>
                  <TableCell>{name}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatCount(n)}</TableCell>
                </TableRow>
              ))}
          </TableBody>
        </Table>
      )}
    </section>
  )
}

function VersionDetail({ datasetId, number }: { datasetId: number; number: number }) {
  const version = useVersion(datasetId, number)
  if (version.isError) return <ErrorState error={version.error} title="Could not load the version" onRetry={() => void version.refetch()} />
  if (version.isPending) return <Skeleton className="m-5 h-64" />
  const v = version.data
  return (
    <div className="flex flex-col gap-5 overflow-y-auto p-5 pt-0" data-testid="version-detail">
      <div className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
        <VersionStatusBadge status={v.status} />
        <span>Created {formatDateTime(v.created_at)}</span>
      </div>
      {v.description ? <p className="text-sm">{v.description}</p> : null}
      {v.status === 'building' && v.job_id !== null ? <BuildProgress jobId={v.job_id} /> : null}
      {v.counts.error ? <p className="text-sm text-destructive">{v.counts.error}</p> : null}

      <SplitCounts version={v} />
      <ClassMapping version={v} />

      <QuickExport datasetId={datasetId} version={v} />
    </div>
  )
}

// ---- list ---------------------------------------------------------------------

/** A build that finishes while the tab is open gets its result toast; `seen` holds each version's last status. */
function useBuildResultToasts(datasetId: number, versions: readonly DatasetVersion[] | undefined) {
  const seen = useRef(new Map<number, VersionStatus>())
  const queryClient = useQueryClient()
  useEffect(() => {
    for (const v of versions ?? []) {
      const before = seen.current.get(v.number)
      if (before === 'building' && v.status !== 'building') {
        void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.stats(datasetId) })
        void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.version(datasetId, v.number) })
      }
      if (before === 'building' && v.status === 'ready') {
        toast.success(`${versionLabel(v)} is ready: ${countOf(v.counts.total_images, 'image')}, ${countOf(v.counts.total_annotations, 'annotation')}`)
      } else if (before === 'building' && v.status === 'failed') {
        toast.error(`${versionLabel(v)} failed: ${v.counts.error ?? 'see its job'}`)
      }
      seen.current.set(v.number, v.status)
    }
  }, [versions, datasetId, queryClient])
  return seen
}

function VersionsTable({ items, onOpen }: { items: readonly DatasetVersion[]; onOpen: (number: number) => void }) {
  return (
    <Table aria-label="Versions" data-testid="versions-table">
      <TableHeader className="bg-muted/40">
        <TableRow className="hover:bg-transparent">
          <TableHead>Version</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="text-right">Train</TableHead>
          <TableHead className="text-right">Val</TableHead>
          <TableHead className="text-right">Test</TableHead>
          <TableHead className="text-right">Annotations</TableHead>
          <TableHead className="text-right">Classes</TableHead>
          <TableHead>Created</TableHead>
          <TableHead className="w-0" />
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((v) => (
          <TableRow
            key={v.id}
            data-testid="version-row"
            data-number={v.number}
            className="cursor-pointer"
            onClick={() => onOpen(v.number)}
          >
            <TableCell>
              <div className="flex flex-col">
                <span className="font-medium">{versionLabel(v)}</span>
                {v.description ? <span className="max-w-64 truncate text-xs text-muted-foreground">{v.description}</span> : null}
              </div>
            </TableCell>
            <TableCell>
              <div className="flex flex-col items-start gap-1">
                <VersionStatusBadge status={v.status} />
                {v.status === 'building' && v.job_id !== null ? <BuildProgress jobId={v.job_id} /> : null}
              </div>
            </TableCell>
            {SPLITS.map((split) => (
              <TableCell key={split} className="text-right tabular-nums" data-testid={`version-${split}`}>
                {v.status === 'ready' ? formatCount(v.counts.images[split] ?? 0) : '—'}
              </TableCell>
            ))}
            <TableCell className="text-right tabular-nums" data-testid="version-annotations">
              {v.status === 'ready' ? formatCount(v.counts.total_annotations) : '—'}
            </TableCell>
            <TableCell className="text-right tabular-nums">{formatCount(v.class_mapping.length)}</TableCell>
            <TableCell className="text-muted-foreground" title={formatDateTime(v.created_at)}>
              {formatRelative(v.created_at)}
            </TableCell>
            <TableCell>
              <Button
                variant="ghost"
                size="sm"
                onClick={(e) => {
                  e.stopPropagation()
                  onOpen(v.number)
                }}
                aria-label={`Open v${v.number}`}
              >
                Details
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

/** Versions of a dataset: the list with split counts, creation, and each version's detail and export. */
export function VersionsTab({ datasetId }: { datasetId: number }) {
  const versions = useVersions(datasetId)
  const [creating, setCreating] = useState(false)
  const [selected, setSelected] = useState<number | null>(null)
  const seen = useBuildResultToasts(datasetId, versions.data?.items)
  const items = versions.data?.items ?? []

  const createButton = (
    <Button onClick={() => setCreating(true)} data-testid="new-version">
      <PlusIcon aria-hidden /> Create version
    </Button>
  )
  const selectedVersion = items.find((v) => v.number === selected)

  return (
    <div className="flex flex-col gap-4">
      <Card className="overflow-hidden">
        <CardHeader className="flex-row items-start justify-between gap-4 border-b">
          <div className="flex flex-col gap-1">
            <CardTitle>Versions</CardTitle>
            <CardDescription>
              Frozen snapshots for training and export: images, annotations, class mapping and a recorded split.
            </CardDescription>
          </div>
          {createButton}
        </CardHeader>
        {versions.isError ? (
          <ErrorState error={versions.error} title="Could not load versions" onRetry={() => void versions.refetch()} />
        ) : versions.isPending ? (
          <div className="flex flex-col gap-2 p-4">
            <Skeleton className="h-8" />
            <Skeleton className="h-8" />
          </div>
        ) : items.length === 0 ? (
          <EmptyState
            icon={<GitCommitHorizontalIcon aria-hidden />}
            title="No versions yet"
            description="Create a version to freeze this dataset with a train/val/test split."
          />
        ) : (
          <VersionsTable items={items} onOpen={setSelected} />
        )}
      </Card>
      <CreateVersionDialog
        datasetId={datasetId}
        open={creating}
        onOpenChange={setCreating}
        // A build can finish before the list is next fetched: remember it was building, so its
        // result toast still shows.
        onCreated={(version) => seen.current.set(version.number, 'building')}
      />
      <Sheet open={selected !== null} onOpenChange={(open) => (open ? null : setSelected(null))}>
        <SheetContent className="sm:max-w-xl" data-testid="version-sheet">
          <SheetHeader>
            <SheetTitle>{selectedVersion ? versionLabel(selectedVersion) : `v${selected ?? ''}`}</SheetTitle>
            <SheetDescription>Images and annotations per split, classes, and export.</SheetDescription>
          </SheetHeader>
          {selected !== null ? <VersionDetail datasetId={datasetId} number={selected} /> : null}
        </SheetContent>
      </Sheet>
    </div>
  )
}
