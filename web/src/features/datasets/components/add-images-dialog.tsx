/** The dialog that adds library images to a dataset, one by one or by a filter. */
import { toast } from 'sonner'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { LibraryPicker } from '@/features/images'
import { errorMessage, type AddImagesRequest } from '@/lib/api'
import { countOf, formatCount } from '@/lib/format'
import { useAddImages } from '../hooks/datasets'

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
          `Added ${countOf(result.added, 'image')} to ${datasetName}` +
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
