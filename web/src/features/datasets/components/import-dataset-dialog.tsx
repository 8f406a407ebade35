/** "Import dataset" on the datasets page: the COCO / YOLO / VOC import, without a detour via Images. */
import { UploadIcon } from 'lucide-react'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { DatasetImportTab } from '@/features/imports'

export function ImportDatasetButton() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button variant="outline" onClick={() => setOpen(true)} data-testid="import-dataset">
        <UploadIcon aria-hidden /> Import dataset
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-3xl" data-testid="import-dataset-dialog">
          <DialogHeader>
            <DialogTitle>Import a dataset</DialogTitle>
            <DialogDescription>A labelled COCO, YOLO or Pascal VOC archive or server folder: images, classes and boxes.</DialogDescription>
          </DialogHeader>
          {open ? <DatasetImportTab /> : null}
        </DialogContent>
      </Dialog>
    </>
  )
}
