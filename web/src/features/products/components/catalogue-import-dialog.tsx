import { useState, type FormEvent } from 'react'
import { FileSpreadsheetIcon, Loader2Icon, UploadIcon } from 'lucide-react'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Label } from '@/components/ui/label'
import { Progress } from '@/components/ui/progress'
import { Segmented } from '@/components/ui/segmented'
import { isActiveJob, type OnExisting } from '@/lib/api'
import { formatBytes } from '@/lib/format'
import { useCatalogueForm } from '../hooks/catalogue-form'
import { useCatalogueImport } from '../hooks/uploads'
import { ColumnMapping, DomainMapEditor } from './catalogue-mapping'
import { CatalogueJob, CatalogueRefusal } from './catalogue-report'
import { FileField } from './file-field'

const ON_EXISTING: { value: OnExisting; label: string }[] = [
  { value: 'fail', label: 'Refuse the import' },
  { value: 'skip', label: 'Skip them' },
  { value: 'update', label: 'Update them' },
]

function Problems({ missing, mapError }: { missing: string[]; mapError: string | null }) {
  if (missing.length === 0 && !mapError) return null
  return (
    <p className="text-xs text-destructive" data-testid="catalogue-form-problem">
      {missing.length > 0 ? `Choose the column that holds: ${missing.join(', ')}. ` : ''}
      {mapError ?? ''}
    </p>
  )
}

function CatalogueForm({ form, disabled }: { form: ReturnType<typeof useCatalogueForm>; disabled: boolean }) {
  return (
    <div className="flex max-h-[60vh] flex-col gap-4 overflow-y-auto pr-1">
      <FileField label="Catalogue" hint="A CSV with a header row (UTF-8), or a JSON list of products." accept=".csv,.json,text/csv,application/json" file={form.catalogue} onFile={form.setCatalogue} disabled={disabled} testId="catalogue-file" />
      <FileField label="Images (optional)" hint="A zip laid out <sku>/<folder>/<file>." accept=".zip,application/zip" file={form.images} onFile={form.setImages} disabled={disabled} testId="catalogue-images" />
      {form.columns.length > 0 ? <ColumnMapping columns={form.columns} chosen={form.chosen} onChange={form.setColumn} /> : null}
      {form.images ? <DomainMapEditor rows={form.rows} onChange={form.setRows} /> : null}
      <div className="flex flex-col gap-1.5">
        <Label>Products whose SKU is already in the catalogue</Label>
        <Segmented label="Existing products" value={form.onExisting} options={ON_EXISTING} onChange={form.setOnExisting} testId="catalogue-on-existing" />
      </div>
    </div>
  )
}

/** Import a catalogue (CSV or JSON, optionally with an images zip) as one all-or-nothing job, and watch it. */
export function CatalogueImportDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const form = useCatalogueForm()
  const upload = useCatalogueImport()
  const running = upload.uploading || (upload.job.data ? isActiveJob(upload.job.data) : upload.jobId !== null)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (form.catalogue && form.ready) upload.start(form.catalogue, form.images, form.options)
  }
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-2xl" data-testid="catalogue-import-dialog">
        <form onSubmit={submit} className="flex flex-col gap-4">
          <DialogHeader>
            <DialogTitle>Import a catalogue</DialogTitle>
            <DialogDescription>All or nothing: a bad row or file stops the import, and the report names each one.</DialogDescription>
          </DialogHeader>
          <CatalogueForm form={form} disabled={running} />
          <Problems missing={form.missing} mapError={form.mapError} />
          {upload.progress ? (
            <div className="flex flex-col gap-1" data-testid="catalogue-upload-progress">
              <Progress value={upload.progress.total > 0 ? (upload.progress.loaded / upload.progress.total) * 100 : 0} aria-label="Upload progress" />
              <span className="text-xs text-muted-foreground">
                Uploading {formatBytes(upload.progress.loaded)} of {formatBytes(upload.progress.total)}
              </span>
            </div>
          ) : null}
          {upload.error ? <CatalogueRefusal error={upload.error} /> : null}
          {upload.jobId !== null ? (
            upload.job.isError ? (
              <ErrorState error={upload.job.error} title="Could not load the import job" className="py-4" />
            ) : upload.job.data ? (
              <CatalogueJob job={upload.job.data} />
            ) : (
              <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Loading job" />
            )
          ) : null}
          <DialogFooter>
            {upload.uploading ? (
              <Button type="button" variant="outline" onClick={upload.cancel}>
                Cancel upload
              </Button>
            ) : (
              <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
                Close
              </Button>
            )}
            <Button type="submit" disabled={!form.ready || running} data-testid="start-catalogue-import">
              {running ? <Loader2Icon className="animate-spin" aria-hidden /> : <UploadIcon aria-hidden />}
              Import
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

export function CatalogueImportButton({ disabled = false }: { disabled?: boolean }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button variant="outline" onClick={() => setOpen(true)} disabled={disabled} data-testid="import-catalogue">
        <FileSpreadsheetIcon aria-hidden /> Import catalogue
      </Button>
      <CatalogueImportDialog open={open} onOpenChange={setOpen} />
    </>
  )
}
