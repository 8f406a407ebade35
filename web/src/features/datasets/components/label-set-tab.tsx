/**
 * A dataset's Classes tab: its label set in order. The first nine answer to keys 1–9 in the editor.
 * Reorder by dragging or with the arrows, add classes from the catalogue, remove unused ones, then save.
 */
import { ArrowDownIcon, ArrowUpIcon, GripVerticalIcon, Loader2Icon, PlusIcon, SearchIcon, TagsIcon, XIcon } from 'lucide-react'
import { useMemo, useState, type ComponentProps } from 'react'
import { toast } from 'sonner'
import { EmptyState, ErrorState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Popover, PopoverContent, PopoverTrigger } from '@/components/ui/popover'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { errorMessage, type LabelSetClass, type OdClass } from '@/lib/api'
import { formatCount, formatPercent } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useDatasetStats } from '../hooks/datasets'
import { useClassSearch, useLabelSet, useSetLabelSet } from '../hooks/label-set'
import { moveItem, sameOrder } from './label-set-order'

const KEYS = 9

function fromCatalogue(c: OdClass): LabelSetClass {
  return { id: c.id, name: c.name, display_name: c.display_name, color: c.color, category: c.category, key: null, listed: true, annotation_count: 0 }
}

function AddClasses({ present, onAdd }: { present: ReadonlySet<number>; onAdd: (c: LabelSetClass) => void }) {
  const [open, setOpen] = useState(false)
  const [q, setQ] = useState('')
  const found = useClassSearch(q, open)
  const choices = (found.data?.items ?? []).filter((c) => !present.has(c.id))
  return (
    <Popover open={open} onOpenChange={setOpen}>
      <PopoverTrigger asChild>
        <Button variant="outline" size="sm">
          <PlusIcon aria-hidden /> Add classes
        </Button>
      </PopoverTrigger>
      <PopoverContent align="end" className="w-80 p-2" aria-label="Add classes">
        <div className="relative mb-2">
          <SearchIcon className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input autoFocus aria-label="Search the catalogue" placeholder="Search the catalogue" value={q} onChange={(e) => setQ(e.target.value)} className="h-8 pl-7" />
        </div>
        <div className="max-h-72 overflow-y-auto">
          {found.isPending ? (
            <Skeleton className="h-8" />
          ) : choices.length === 0 ? (
            <p className="px-2 py-3 text-sm text-muted-foreground">{q ? `No other class matches “${q}”.` : 'Every class is in the set already.'}</p>
          ) : (
            choices.map((c) => (
              <button
                key={c.id}
                type="button"
                className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-accent"
                onClick={() => onAdd(fromCatalogue(c))}
              >
                <span className="size-3 shrink-0 rounded-sm" style={{ backgroundColor: c.color }} aria-hidden />
                <span className="min-w-0 flex-1 truncate">{c.display_name || c.name}</span>
                <PlusIcon className="size-3.5 text-muted-foreground" aria-hidden />
              </button>
            ))
          )}
        </div>
      </PopoverContent>
    </Popover>
  )
}

interface RowProps {
  item: LabelSetClass
  index: number
  count: number
  images: number | undefined
  share: number | null
  saved: boolean
  canEdit: boolean
  dropTarget: boolean
  onMove: (to: number) => void
  onRemove: () => void
  drag: Pick<ComponentProps<'tr'>, 'onDragStart' | 'onDragOver' | 'onDrop' | 'onDragEnd'>
}

function LabelSetRow({ item, index, count, images, share, saved, canEdit, dropTarget, onMove, onRemove, drag }: RowProps) {
  const name = item.display_name || item.name
  const inUse = item.annotation_count > 0
  return (
    <TableRow data-testid="label-set-row" draggable={canEdit} {...drag} className={cn(dropTarget && 'border-t-2 border-t-primary')}>
      <TableCell className="w-8 pr-0 text-muted-foreground">{canEdit ? <GripVerticalIcon className="size-4 cursor-grab" aria-hidden /> : null}</TableCell>
      <TableCell className="w-12">
        {index < KEYS ? <kbd className="inline-block w-6 rounded border bg-muted text-center font-mono text-xs">{index + 1}</kbd> : <span className="text-xs text-muted-foreground">–</span>}
      </TableCell>
      <TableCell>
        <span className="flex items-center gap-2">
          <span className="size-3.5 shrink-0 rounded-sm border border-black/10" style={{ backgroundColor: item.color }} aria-hidden />
          <span className="font-medium">{name}</span>
          {!saved ? <Badge variant="info">new</Badge> : !item.listed ? (
            <Badge variant="secondary" title="Annotations of this dataset use it; it follows the ordered classes until an order is saved">
              from annotations
            </Badge>
          ) : null}
        </span>
      </TableCell>
      <TableCell className="text-right tabular-nums">{formatCount(item.annotation_count)}</TableCell>
      <TableCell className="text-right tabular-nums">{images === undefined ? '—' : formatCount(images)}</TableCell>
      <TableCell className="text-right text-muted-foreground tabular-nums">{share === null ? '—' : formatPercent(share)}</TableCell>
      {canEdit ? (
        <TableCell className="w-28 text-right whitespace-nowrap">
          <Button variant="ghost" size="icon-sm" aria-label={`Move ${name} up`} disabled={index === 0} onClick={() => onMove(index - 1)}>
            <ArrowUpIcon />
          </Button>
          <Button variant="ghost" size="icon-sm" aria-label={`Move ${name} down`} disabled={index === count - 1} onClick={() => onMove(index + 1)}>
            <ArrowDownIcon />
          </Button>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label={`Remove ${name}`}
            title={inUse ? `${formatCount(item.annotation_count)} annotations of this dataset use it: reassign them first` : 'Remove from the label set'}
            disabled={inUse}
            onClick={onRemove}
          >
            <XIcon />
          </Button>
        </TableCell>
      ) : null}
    </TableRow>
  )
}

/** The set as a table; rows move with the arrows or by dragging one onto another. */
function LabelSetTable({
  items,
  canEdit,
  savedIds,
  imagesByClass,
  total,
  onEdit,
}: {
  items: LabelSetClass[]
  canEdit: boolean
  savedIds: ReadonlySet<number>
  /** Images per class id, once the dataset's stats are loaded. */
  imagesByClass: ReadonlyMap<number, number> | undefined
  total: number
  onEdit: (next: LabelSetClass[]) => void
}) {
  const [dragFrom, setDragFrom] = useState<number | null>(null)
  const [dragOver, setDragOver] = useState<number | null>(null)
  const endDrag = () => {
    setDragFrom(null)
    setDragOver(null)
  }
  const dragProps = (index: number): RowProps['drag'] => ({
    onDragStart: (e) => {
      e.dataTransfer.effectAllowed = 'move'
      e.dataTransfer.setData('text/plain', String(index))
      setDragFrom(index)
    },
    onDragOver: (e) => {
      if (dragFrom === null) return
      e.preventDefault()
      setDragOver(index)
    },
    onDrop: (e) => {
      e.preventDefault()
      if (dragFrom !== null) onEdit(moveItem(items, dragFrom, index))
      endDrag()
    },
    onDragEnd: endDrag,
  })
  return (
    <Table aria-label="Label set" data-testid="dataset-classes">
      <TableHeader className="bg-muted/40">
        <TableRow className="hover:bg-transparent">
          <TableHead className="w-8" />
          <TableHead className="w-12">Key</TableHead>
          <TableHead>Class</TableHead>
          <TableHead className="text-right">Annotations</TableHead>
          <TableHead className="text-right">Images</TableHead>
          <TableHead className="text-right">Share</TableHead>
          {canEdit ? <TableHead className="w-28" /> : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((item, index) => (
          <LabelSetRow
            key={item.id}
            item={item}
            index={index}
            count={items.length}
            images={imagesByClass ? (imagesByClass.get(item.id) ?? 0) : undefined}
            share={total > 0 ? item.annotation_count / total : null}
            saved={savedIds.has(item.id)}
            canEdit={canEdit}
            dropTarget={dragOver === index && dragFrom !== null && dragFrom !== index}
            onMove={(to) => onEdit(moveItem(items, index, to))}
            onRemove={() => onEdit(items.filter((c) => c.id !== item.id))}
            drag={dragProps(index)}
          />
        ))}
      </TableBody>
    </Table>
  )
}

/** Save the order as it is now; the toast says which classes the keys go to. */
function useSaveOrder(datasetId: number, onSaved: () => void) {
  const save = useSetLabelSet(datasetId)
  const submit = (items: LabelSetClass[]) =>
    save.mutate(
      items.map((c) => c.id),
      {
        onSuccess: (saved) => {
          onSaved()
          const keyed = saved.items.slice(0, KEYS).map((c) => c.display_name || c.name)
          toast.success(keyed.length ? `Label set saved: keys 1–${keyed.length} go to ${keyed.join(', ')}` : 'Label set saved')
        },
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  return { submit, pending: save.isPending }
}

export function LabelSetTab({ datasetId, canEdit }: { datasetId: number; canEdit: boolean }) {
  const labelSet = useLabelSet(datasetId)
  const stats = useDatasetStats(datasetId)
  const [draft, setDraft] = useState<LabelSetClass[] | null>(null)
  const save = useSaveOrder(datasetId, () => setDraft(null))
  const server = labelSet.data?.items
  const items = draft ?? server ?? []
  const savedIds = useMemo(() => new Set((server ?? []).map((c) => c.id)), [server])
  const images = useMemo(() => new Map((stats.data?.annotations_by_class ?? []).map((c) => [c.class_id, c.images])), [stats.data])
  const dirty = draft !== null && !sameOrder(draft.map((c) => c.id), (server ?? []).map((c) => c.id))

  if (labelSet.isError) return <ErrorState error={labelSet.error} onRetry={() => void labelSet.refetch()} />
  if (labelSet.isPending) return <Skeleton className="h-40" />

  return (
    <Card className="overflow-hidden">
      <CardHeader className="flex flex-row items-start justify-between gap-4 border-b pb-4">
        <div className="flex flex-col gap-1">
          <CardTitle className="text-base">Label set</CardTitle>
          <CardDescription>
            The classes of this dataset in the order the editor offers them: keys 1–9 pick the first nine. Classes its annotations use join at the end.
          </CardDescription>
        </div>
        {canEdit ? (
          <div className="flex shrink-0 items-center gap-2">
            <AddClasses present={new Set(items.map((c) => c.id))} onAdd={(c) => setDraft([...items, c])} />
            {draft !== null ? (
              <Button variant="ghost" size="sm" onClick={() => setDraft(null)} disabled={save.pending}>
                Discard
              </Button>
            ) : null}
            <Button size="sm" onClick={() => save.submit(items)} disabled={!dirty || save.pending}>
              {save.pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Save order
            </Button>
          </div>
        ) : null}
      </CardHeader>
      {items.length === 0 ? (
        <EmptyState
          icon={<TagsIcon aria-hidden />}
          title="No classes in this dataset yet"
          description="Add the classes you label here, in the order you want them on keys 1–9. Until then the editor keys the whole catalogue."
        />
      ) : (
        <LabelSetTable
          items={items}
          canEdit={canEdit}
          savedIds={savedIds}
          imagesByClass={stats.data ? images : undefined}
          total={stats.data?.annotation_count ?? 0}
          onEdit={setDraft}
        />
      )}
    </Card>
  )
}
