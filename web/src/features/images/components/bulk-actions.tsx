import { useState, type FormEvent } from 'react'
import { FolderInputIcon, FolderPlusIcon, Loader2Icon, SparklesIcon, TagIcon, TagsIcon, Trash2Icon, XIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { AutoAnnotateDialog } from '@/features/ai'
import { useAddImages } from '@/features/datasets'
import { errorMessage, type BulkImageResult, type Dataset, type ImageFilters } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { parseTags } from '../hooks/filters'
import { useBulkImages } from '../hooks/images'

/** Either the ticked images, or every image matching the current filters. */
export type Selection = { mode: 'ids'; ids: number[] } | { mode: 'filter'; filter: ImageFilters; count: number }

type BulkKind = 'tag' | 'untag' | 'set_folder' | 'dataset' | 'delete'

const TITLES: Record<BulkKind, string> = {
  tag: 'Add tags',
  untag: 'Remove tags',
  set_folder: 'Set folder',
  dataset: 'Add to dataset',
  delete: 'Delete images',
}

export function selectionSize(selection: Selection): number {
  return selection.mode === 'ids' ? selection.ids.length : selection.count
}

function describeResult(result: BulkImageResult): string {
  const n = (v: number) => `${formatCount(v)} image${v === 1 ? '' : 's'}`
  switch (result.action) {
    case 'tag':
      return `Tagged ${n(result.changed)} (${formatCount(result.matched)} selected)`
    case 'untag':
      return `Removed tags from ${n(result.changed)}`
    case 'set_folder':
      return `Moved ${n(result.changed)}`
    case 'delete': {
      const reasons = Object.entries(result.skipped_reasons)
        .map(([why, count]) => `${count} ${why.replace(/_/g, ' ')}`)
        .join(', ')
      return `Deleted ${n(result.changed)}${result.skipped > 0 ? `; kept ${formatCount(result.skipped)} (${reasons})` : ''}`
    }
  }
}

/** Run one bulk action on the selection, with a result toast; `datasetId` is the "add to dataset" target. */
function useBulkAction(selection: Selection, datasets: Dataset[], datasetId: string, onDone: () => void) {
  const bulk = useBulkImages()
  const addToDataset = useAddImages(Number(datasetId))
  const target = selection.mode === 'ids' ? { ids: selection.ids } : { filter: selection.filter }

  const addToChosenDataset = () => {
    const id = Number(datasetId)
    if (!id) return
    const name = datasets.find((d) => d.id === id)?.name ?? `dataset ${id}`
    const body = selection.mode === 'ids' ? { image_ids: selection.ids } : { filter: selection.filter }
    void addToDataset
      .mutateAsync(body)
      .then((result) => {
        toast.success(
          `Added ${formatCount(result.added)} image${result.added === 1 ? '' : 's'} to ${name}` +
            (result.already_present > 0 ? ` (${formatCount(result.already_present)} already there)` : ''),
        )
        onDone()
      })
      .catch((error: unknown) => toast.error(errorMessage(error)))
  }

  const run = (kind: BulkKind, value: string, force: boolean) => {
    if (kind === 'dataset') {
      addToChosenDataset()
      return
    }
    const tags = parseTags(value)
    if ((kind === 'tag' || kind === 'untag') && tags.length === 0) return
    bulk.mutate(
      {
        ...target,
        action: kind,
        tags: kind === 'tag' || kind === 'untag' ? tags : undefined,
        folder: kind === 'set_folder' ? value.trim() || null : undefined,
        force: kind === 'delete' ? force : undefined,
      },
      {
        onSuccess: (result) => {
          const message = describeResult(result)
          if (result.skipped > 0) toast.warning(message)
          else toast.success(message)
          onDone()
        },
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  }

  return { run, pending: bulk.isPending || addToDataset.isPending }
}

const TEXT_FIELDS: Partial<Record<BulkKind, { id: string; label: string; placeholder: string }>> = {
  tag: { id: 'bulk-tags', label: 'Tags', placeholder: 'comma-separated, e.g. promo, aisle 3' },
  untag: { id: 'bulk-tags', label: 'Tags', placeholder: 'comma-separated, e.g. promo, aisle 3' },
  set_folder: { id: 'bulk-folder', label: 'Folder', placeholder: 'e.g. stores/berlin (empty clears the folder)' },
}

/** What the action needs: tags or a folder, a dataset, or (delete) whether annotated images go too. */
function BulkFields({
  kind,
  value,
  onValue,
  datasets,
  datasetId,
  onDatasetId,
  force,
  onForce,
}: {
  kind: BulkKind
  value: string
  onValue: (value: string) => void
  datasets: Dataset[]
  datasetId: string
  onDatasetId: (id: string) => void
  force: boolean
  onForce: (force: boolean) => void
}) {
  const text = TEXT_FIELDS[kind]
  return (
    <>
      {text ? (
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={text.id}>{text.label}</Label>
          <Input id={text.id} autoFocus placeholder={text.placeholder} value={value} onChange={(e) => onValue(e.target.value)} />
        </div>
      ) : null}
      {kind === 'dataset' ? (
        <div className="flex flex-col gap-1.5">
          <Label>Dataset</Label>
          {datasets.length === 0 ? (
            <p className="text-sm text-muted-foreground">No datasets yet: create one on the Datasets page first.</p>
          ) : (
            <Select value={datasetId} onValueChange={onDatasetId}>
              <SelectTrigger aria-label="Dataset">
                <SelectValue placeholder="Choose a dataset" />
              </SelectTrigger>
              <SelectContent>
                {datasets.map((d) => (
                  <SelectItem key={d.id} value={String(d.id)}>
                    {d.name}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        </div>
      ) : null}
      {kind === 'delete' ? (
        <label className="flex items-start gap-2 text-sm">
          <Checkbox checked={force} onCheckedChange={(c) => onForce(c === true)} className="mt-0.5" />
          <span>
            Also delete images that have annotations (their annotations go too). Without this, annotated images are
            kept and reported.
          </span>
        </label>
      ) : null}
    </>
  )
}

function BulkDialog({
  kind,
  selection,
  datasets,
  onClose,
  onDone,
}: {
  kind: BulkKind
  selection: Selection
  datasets: Dataset[]
  onClose: () => void
  onDone: () => void
}) {
  const [value, setValue] = useState('')
  const [force, setForce] = useState(false)
  const [datasetId, setDatasetId] = useState<string>('')
  const { run, pending } = useBulkAction(selection, datasets, datasetId, onDone)
  const count = selectionSize(selection)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    run(kind, value, force)
  }

  const what = `${formatCount(count)} image${count === 1 ? '' : 's'}`
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent data-testid={`bulk-dialog-${kind}`}>
        <form onSubmit={submit} className="flex flex-col gap-4">
          <DialogHeader>
            <DialogTitle>{TITLES[kind]}</DialogTitle>
            <DialogDescription>
              {kind === 'delete'
                ? `Delete ${what} from the library, with their files and thumbnails. This cannot be undone.`
                : `Applies to ${what}${selection.mode === 'filter' ? ' matching the current filters' : ''}.`}
            </DialogDescription>
          </DialogHeader>
          <BulkFields
            kind={kind}
            value={value}
            onValue={setValue}
            datasets={datasets}
            datasetId={datasetId}
            onDatasetId={setDatasetId}
            force={force}
            onForce={setForce}
          />
          <DialogFooter>
            <Button variant="outline" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button
              type="submit"
              variant={kind === 'delete' ? 'destructive' : 'default'}
              disabled={pending || (kind === 'dataset' && !datasetId)}
              data-testid="bulk-confirm"
            >
              {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              {kind === 'delete' ? `Delete ${what}` : TITLES[kind]}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

export function BulkBar({
  selection,
  datasets,
  total,
  pageCount,
  onSelectAllMatching,
  onClear,
}: {
  selection: Selection
  datasets: Dataset[]
  total: number | null
  pageCount: number
  onSelectAllMatching: (() => void) | null
  onClear: () => void
}) {
  const [kind, setKind] = useState<BulkKind | null>(null)
  const [annotating, setAnnotating] = useState(false)
  const count = selectionSize(selection)
  return (
    <div
      className="sticky top-0 z-10 flex flex-wrap items-center gap-2 rounded-lg border bg-card px-3 py-2 shadow-sm"
      data-testid="bulk-bar"
    >
      <span className="text-sm font-medium" data-testid="selection-count">
        {selection.mode === 'filter' ? `All ${formatCount(count)} matching selected` : `${formatCount(count)} selected`}
      </span>
      {selection.mode === 'ids' && onSelectAllMatching && total !== null && total > pageCount && count >= pageCount ? (
        <Button variant="link" size="sm" className="h-7 px-1" onClick={onSelectAllMatching}>
          Select all {formatCount(total)} matching
        </Button>
      ) : null}
      <div className="ml-auto flex flex-wrap items-center gap-1.5">
        <Button variant="outline" size="sm" onClick={() => setKind('tag')}>
          <TagIcon aria-hidden /> Tag
        </Button>
        <Button variant="outline" size="sm" onClick={() => setKind('untag')}>
          <TagsIcon aria-hidden /> Untag
        </Button>
        <Button variant="outline" size="sm" onClick={() => setKind('set_folder')}>
          <FolderInputIcon aria-hidden /> Set folder
        </Button>
        <Button variant="outline" size="sm" onClick={() => setKind('dataset')}>
          <FolderPlusIcon aria-hidden /> Add to dataset
        </Button>
        <Button
          variant="outline"
          size="sm"
          onClick={() => setAnnotating(true)}
          disabled={selection.mode !== 'ids'}
          title={selection.mode === 'ids' ? 'Add to a dataset and run an AI detector on them' : 'Tick the images to auto-annotate (up to a page at a time)'}
          data-testid="library-auto-annotate"
        >
          <SparklesIcon aria-hidden /> Auto-annotate
        </Button>
        <Button variant="outline" size="sm" className="text-destructive" onClick={() => setKind('delete')}>
          <Trash2Icon aria-hidden /> Delete
        </Button>
        <Button variant="ghost" size="icon-sm" aria-label="Clear selection" onClick={onClear}>
          <XIcon aria-hidden />
        </Button>
      </div>
      {kind ? (
        <BulkDialog
          kind={kind}
          selection={selection}
          datasets={datasets}
          onClose={() => setKind(null)}
          onDone={() => {
            setKind(null)
            if (kind === 'delete') onClear()
          }}
        />
      ) : null}
      {selection.mode === 'ids' ? <AutoAnnotateDialog open={annotating} onOpenChange={setAnnotating} datasetId={null} imageIds={selection.ids} /> : null}
    </div>
  )
}
