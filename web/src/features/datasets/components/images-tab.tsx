import { useState } from 'react'
import {
  ChevronLeftIcon,
  ChevronRightIcon,
  EllipsisIcon,
  ImageIcon,
  Loader2Icon,
  PlusIcon,
  Trash2Icon,
} from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { EmptyState, ErrorState } from '@/components/states'
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { LibraryPicker } from '@/features/images'
import {
  DATASET_IMAGE_STATUSES,
  errorMessage,
  type AddImagesRequest,
  type DatasetImageStatus,
  type DatasetSplit,
} from '@/lib/api'
import { formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useAddImages, useDatasetImages, useRemoveImages, useUpdateDatasetImage } from '../hooks/datasets'
import { STATUS_META } from './overview-tab'

const ANY = 'any'
const LIMIT = 48
const SPLITS: DatasetSplit[] = ['train', 'val', 'test']

/** Per-image actions: set the labelling status or the split by hand. */
function ImageMenu({
  datasetId,
  imageId,
  filename,
  status,
  split,
}: {
  datasetId: number
  imageId: number
  filename: string
  status: DatasetImageStatus
  split: DatasetSplit | null
}) {
  const update = useUpdateDatasetImage(datasetId)
  const apply = (body: { status?: DatasetImageStatus; split?: DatasetSplit | null }, done: string) =>
    update.mutate(
      { imageId, body },
      {
        onSuccess: () => toast.success(`${filename}: ${done}`),
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="secondary" size="icon" className="size-7" aria-label={`Actions for ${filename}`}>
          {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <EllipsisIcon aria-hidden />}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>Status</DropdownMenuLabel>
        {DATASET_IMAGE_STATUSES.map((s) => (
          <DropdownMenuItem key={s} disabled={s === status} onSelect={() => apply({ status: s }, STATUS_META[s].label)}>
            {STATUS_META[s].label}
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuLabel>Split</DropdownMenuLabel>
        {SPLITS.map((s) => (
          <DropdownMenuItem key={s} disabled={s === split} onSelect={() => apply({ split: s }, `split ${s}`)}>
            {s}
          </DropdownMenuItem>
        ))}
        <DropdownMenuItem disabled={split === null} onSelect={() => apply({ split: null }, 'split cleared')}>
          No split
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  )
}
const STATUS_VARIANT: Record<DatasetImageStatus, 'secondary' | 'info' | 'success' | 'warning'> = {
  new: 'secondary',
  in_progress: 'info',
  completed: 'success',
  skipped: 'warning',
}

export function AddImagesDialog({
  datasetId,
  datasetName,
  open,
  onOpenChange,
}: {
  datasetId: number
  datasetName: string
  open: boolean
  onOpenChange: (open: boolean) => void
}) {
  const add = useAddImages(datasetId)
  const submit = (request: AddImagesRequest) =>
    add.mutate(request, {
      onSuccess: (result) => {
        toast.success(
          `Added ${formatCount(result.added)} image${result.added === 1 ? '' : 's'} to ${datasetName}` +
            (result.already_present > 0 ? ` (${formatCount(result.already_present)} already there)` : ''),
        )
        onOpenChange(false)
      },
      onError: (error) => toast.error(errorMessage(error)),
    })
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-3xl" data-testid="add-images-dialog">
        <DialogHeader>
          <DialogTitle>Add images to {datasetName}</DialogTitle>
          <DialogDescription>Pick library images one by one, or take every image matching a filter.</DialogDescription>
        </DialogHeader>
        {open ? (
          <LibraryPicker
            excludeDatasetId={datasetId}
            pending={add.isPending}
            submitLabel={(count) => `Add ${count} image${count === '1' ? '' : 's'}`}
            onSubmit={submit}
          />
        ) : null}
      </DialogContent>
    </Dialog>
  )
}

export function ImagesTab({ datasetId, datasetName }: { datasetId: number; datasetName: string }) {
  const [status, setStatus] = useState<DatasetImageStatus | null>(null)
  const [split, setSplit] = useState<DatasetSplit | 'none' | null>(null)
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [adding, setAdding] = useState(false)
  const [confirmRemove, setConfirmRemove] = useState(false)
  const cursor = cursors[cursors.length - 1] ?? null
  const images = useDatasetImages(datasetId, { status: status ? [status] : undefined, split, limit: LIMIT, cursor })
  const remove = useRemoveImages(datasetId)
  const items = images.data?.items ?? []
  const total = images.data?.total ?? null
  const resetPaging = () => setCursors([null])

  const doRemove = () =>
    remove.mutate([...selected], {
      onSuccess: (result) => {
        toast.success(
          `Removed ${formatCount(result.removed)} image${result.removed === 1 ? '' : 's'} from ${datasetName}` +
            (result.annotations_removed > 0 ? ` with ${formatCount(result.annotations_removed)} annotations` : ''),
        )
        setSelected(new Set())
        setConfirmRemove(false)
        resetPaging()
      },
      onError: (error) => toast.error(errorMessage(error)),
    })

  return (
    <div className="flex flex-col gap-3" data-testid="dataset-images">
      <div className="flex flex-wrap items-center gap-2">
        <Select
          value={status ?? ANY}
          onValueChange={(v) => {
            setStatus(v === ANY ? null : (v as DatasetImageStatus))
            resetPaging()
          }}
        >
          <SelectTrigger className="w-40" aria-label="Status">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ANY}>All statuses</SelectItem>
            {DATASET_IMAGE_STATUSES.map((s) => (
              <SelectItem key={s} value={s}>
                {STATUS_META[s].label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <Select
          value={split ?? ANY}
          onValueChange={(v) => {
            setSplit(v === ANY ? null : (v as DatasetSplit | 'none'))
            resetPaging()
          }}
        >
          <SelectTrigger className="w-40" aria-label="Split">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ANY}>All splits</SelectItem>
            <SelectItem value="train">Train</SelectItem>
            <SelectItem value="val">Validation</SelectItem>
            <SelectItem value="test">Test</SelectItem>
            <SelectItem value="none">Unassigned</SelectItem>
          </SelectContent>
        </Select>
        <div className="ml-auto flex items-center gap-2">
          {selected.size > 0 ? (
            <Button variant="outline" className="text-destructive" onClick={() => setConfirmRemove(true)}>
              <Trash2Icon aria-hidden /> Remove {selected.size}
            </Button>
          ) : null}
          <Button onClick={() => setAdding(true)} data-testid="add-images">
            <PlusIcon aria-hidden /> Add images
          </Button>
        </div>
      </div>

      {images.isError ? (
        <Card>
          <ErrorState error={images.error} onRetry={() => void images.refetch()} />
        </Card>
      ) : images.isPending ? (
        <div className="grid grid-cols-[repeat(auto-fill,minmax(10rem,1fr))] gap-3">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="aspect-[4/3]" />
          ))}
        </div>
      ) : items.length === 0 ? (
        <Card>
          <EmptyState
            icon={<ImageIcon aria-hidden />}
            title={status || split ? 'No images match' : 'No images in this dataset yet'}
            description={status || split ? 'Try another status or split.' : 'Add images from the library to start labelling.'}
            action={
              status || split ? null : (
                <Button size="sm" onClick={() => setAdding(true)}>
                  <PlusIcon aria-hidden /> Add images
                </Button>
              )
            }
          />
        </Card>
      ) : (
        <ul
          className={cn('grid grid-cols-[repeat(auto-fill,minmax(10rem,1fr))] gap-3', images.isPlaceholderData && 'opacity-60')}
          aria-label="Dataset images"
        >
          {items.map((item) => {
            const on = selected.has(item.image_id)
            return (
              <li
                key={item.id}
                className={cn('group relative overflow-hidden rounded-lg border bg-card shadow-xs', on && 'ring-2 ring-primary')}
                data-testid="dataset-image"
              >
                <Link
                  to={`/od/annotate/${datasetId}/${item.image_id}`}
                  className="block outline-none focus-visible:ring-2 focus-visible:ring-ring/50"
                  aria-label={`Annotate ${item.image.filename}`}
                >
                  <img src={item.image.thumbnail_url} alt="" loading="lazy" className="aspect-[4/3] w-full bg-muted object-cover" />
                  <div className="flex flex-col gap-1 p-2">
                    <p className="truncate text-sm font-medium" title={item.image.filename}>
                      {item.image.filename}
                    </p>
                    <div className="flex flex-wrap items-center gap-1">
                      <Badge variant={STATUS_VARIANT[item.status]}>{STATUS_META[item.status].label}</Badge>
                      {item.split ? <Badge variant="outline">{item.split}</Badge> : null}
                      <span className="ml-auto text-xs text-muted-foreground tabular-nums">
                        {formatCount(item.annotation_count)} boxes
                      </span>
                    </div>
                  </div>
                </Link>
                <div className="absolute top-2 right-2 opacity-0 transition-opacity group-hover:opacity-100 focus-within:opacity-100 has-[[data-state=open]]:opacity-100">
                  <ImageMenu
                    datasetId={datasetId}
                    imageId={item.image_id}
                    filename={item.image.filename}
                    status={item.status}
                    split={item.split}
                  />
                </div>
                <div
                  className={cn(
                    'absolute top-2 left-2 rounded bg-card/90 p-0.5 shadow-sm transition-opacity',
                    on ? 'opacity-100' : 'opacity-0 group-hover:opacity-100 focus-within:opacity-100',
                  )}
                >
                  <Checkbox
                    checked={on}
                    aria-label={`Select ${item.image.filename}`}
                    onCheckedChange={(checked) =>
                      setSelected((current) => {
                        const next = new Set(current)
                        if (checked === true) next.add(item.image_id)
                        else next.delete(item.image_id)
                        return next
                      })
                    }
                  />
                </div>
              </li>
            )
          })}
        </ul>
      )}

      <div className="flex items-center justify-between text-sm text-muted-foreground">
        <span>
          {items.length > 0
            ? `${formatCount((cursors.length - 1) * LIMIT + 1)}–${formatCount((cursors.length - 1) * LIMIT + items.length)}${total !== null ? ` of ${formatCount(total)}` : ''}`
            : null}
        </span>
        <div className="flex items-center gap-2">
          <Button variant="outline" size="sm" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            <ChevronLeftIcon aria-hidden /> Previous
          </Button>
          <Button
            variant="outline"
            size="sm"
            disabled={!images.data?.next_cursor || images.isPlaceholderData}
            onClick={() => {
              const next = images.data?.next_cursor
              if (next) setCursors([...cursors, next])
            }}
          >
            Next <ChevronRightIcon aria-hidden />
          </Button>
        </div>
      </div>

      <AddImagesDialog datasetId={datasetId} datasetName={datasetName} open={adding} onOpenChange={setAdding} />
      <AlertDialog open={confirmRemove} onOpenChange={setConfirmRemove}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>
              Remove {selected.size} image{selected.size === 1 ? '' : 's'} from {datasetName}?
            </AlertDialogTitle>
            <AlertDialogDescription>
              Their annotations in this dataset are deleted. The images stay in the library.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
            <Button variant="destructive" onClick={doRemove} disabled={remove.isPending}>
              {remove.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Remove
            </Button>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </div>
  )
}
