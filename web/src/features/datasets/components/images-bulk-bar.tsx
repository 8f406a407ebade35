/** The bar over a dataset's grid while images are selected: status, split, remove, clear. */
import { useState } from 'react'
import { ChevronDownIcon, Loader2Icon, SparklesIcon, Trash2Icon, XIcon } from 'lucide-react'
import { toast } from 'sonner'
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { DropdownMenu, DropdownMenuContent, DropdownMenuTrigger } from '@/components/ui/dropdown-menu'
import { AutoAnnotateDialog } from '@/features/ai'
import { errorMessage, type DatasetImagePatch } from '@/lib/api'
import { countOf } from '@/lib/format'
import { useBulkUpdateImages, useRemoveImages } from '../hooks/datasets'
import { StatusSplitItems } from './dataset-image-card'

function RemoveDialog({
  datasetId,
  datasetName,
  imageIds,
  open,
  onOpenChange,
  onDone,
}: {
  datasetId: number
  datasetName: string
  imageIds: number[]
  open: boolean
  onOpenChange: (open: boolean) => void
  onDone: () => void
}) {
  const remove = useRemoveImages(datasetId)
  const doRemove = () =>
    remove.mutate(imageIds, {
      onSuccess: (result) => {
        toast.success(
          `Removed ${countOf(result.removed, 'image')} from ${datasetName}` +
            (result.annotations_removed > 0 ? ` with ${countOf(result.annotations_removed, 'annotation')}` : ''),
        )
        onOpenChange(false)
        onDone()
      },
      onError: (error) => toast.error(errorMessage(error)),
    })
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>
            Remove {countOf(imageIds.length, 'image')} from {datasetName}?
          </AlertDialogTitle>
          <AlertDialogDescription>Their annotations in this dataset are deleted. The images stay in the library.</AlertDialogDescription>
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
  )
}

export function ImagesBulkBar({
  datasetId,
  datasetName,
  selected,
  canAutoAnnotate = false,
  onClear,
  onRemoved,
}: {
  datasetId: number
  datasetName: string
  selected: number[]
  canAutoAnnotate?: boolean
  onClear: () => void
  onRemoved: () => void
}) {
  const [confirmRemove, setConfirmRemove] = useState(false)
  const [annotating, setAnnotating] = useState(false)
  const bulk = useBulkUpdateImages(datasetId)
  const apply = (body: DatasetImagePatch, done: string) =>
    bulk.mutate(
      { imageIds: selected, body },
      {
        onSuccess: (result) => toast.success(`${countOf(result.updated, 'image')}: ${done}`),
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  return (
    <div
      className="flex flex-wrap items-center gap-2 rounded-lg border bg-primary/5 px-3 py-2"
      role="toolbar"
      aria-label="Selected images"
      data-testid="images-bulk-bar"
    >
      <span className="text-sm font-medium">{countOf(selected.length, 'image')} selected</span>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" disabled={bulk.isPending}>
            {bulk.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Set status or split <ChevronDownIcon aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start">
          <StatusSplitItems onPick={apply} />
        </DropdownMenuContent>
      </DropdownMenu>
      {canAutoAnnotate ? (
        <Button variant="outline" size="sm" onClick={() => setAnnotating(true)} data-testid="bulk-auto-annotate">
          <SparklesIcon aria-hidden /> Auto-annotate
        </Button>
      ) : null}
      <Button variant="outline" size="sm" className="text-destructive" onClick={() => setConfirmRemove(true)}>
        <Trash2Icon aria-hidden /> Remove from dataset
      </Button>
      <Button variant="ghost" size="sm" className="ml-auto" onClick={onClear}>
        <XIcon aria-hidden /> Clear selection
      </Button>
      <RemoveDialog
        datasetId={datasetId}
        datasetName={datasetName}
        imageIds={selected}
        open={confirmRemove}
        onOpenChange={setConfirmRemove}
        onDone={onRemoved}
      />
      {canAutoAnnotate ? <AutoAnnotateDialog open={annotating} onOpenChange={setAnnotating} datasetId={datasetId} imageIds={selected} /> : null}
    </div>
  )
}
