/** The "Import dataset" tab: a COCO, YOLO or VOC zip into a new or existing dataset, then its report. */
import { useRef, useState, type FormEvent } from 'react'
import { AlertTriangleIcon, FileArchiveIcon, Loader2Icon, UploadIcon } from 'lucide-react'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Progress } from '@/components/ui/progress'
import { Segmented } from '@/components/ui/segmented'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useDatasetChoices } from '@/features/datasets'
import { JobHeader, JobProgress } from '@/features/jobs'
import { ApiError, errorMessage, importReportOf, isActiveJob, type DatasetFormat, type Job, type OnInvalid, type UploadProgress } from '@/lib/api'
import { formatBytes, formatCount, formatPercent } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useArchiveImport } from '../hooks/archive-import'
import { ImportReportView } from './import-report'

export const FORMAT_OPTIONS: { value: DatasetFormat; label: string; hint: string }[] = [
  { value: 'coco', label: 'COCO', hint: 'annotations/*.json with images/ (or instances_<split>.json)' },
  { value: 'yolo', label: 'YOLO', hint: 'data.yaml or obj.names, images/ and labels/ (Ultralytics or Darknet)' },
  { value: 'voc', label: 'Pascal VOC', hint: 'one XML per image (Annotations/ or annotations/) with the images' },
]

type TargetKind = 'new' | 'existing'

/** A refused upload: the server's sentence, plus the offending member of an unsafe archive. */
function UploadError({ error }: { error: unknown }) {
  const body = error instanceof ApiError ? error.body : null
  const kind = typeof body?.kind === 'string' ? body.kind : null
  // Unsafe archives name the offending member in `field`; other errors may name a `file`.
  const member = typeof body?.field === 'string' ? body.field : typeof body?.file === 'string' ? body.file : null
  const title =
    kind === 'unsafe_archive'
      ? 'The archive was refused as unsafe'
      : error instanceof ApiError && error.status === 415
        ? 'This file is not a zip archive'
        : 'The import could not start'
  return (
    <div role="alert" className="flex items-start gap-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm" data-testid="import-error" data-kind={kind ?? ''}>
      <AlertTriangleIcon className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="flex min-w-0 flex-col gap-1">
        <p className="font-medium text-destructive">{title}</p>
        <p className="break-words text-red-900">{errorMessage(error)}</p>
        {member ? (
          <p className="font-mono text-xs text-red-900" data-testid="import-error-member">
            Entry: {member}
          </p>
        ) : null}
        <p className="text-xs text-red-900/80">Nothing was stored and no dataset was created.</p>
      </div>
    </div>
  )
}

function ImportJob({ job }: { job: Job }) {
  const report = importReportOf(job)
  return (
    <div className="flex flex-col gap-3" data-testid="import-job" data-job-id={job.id} data-status={job.status}>
      <JobHeader job={job} label="Import job" />
      {isActiveJob(job) || !report ? <JobProgress job={job} /> : null}
      {job.error && !report ? <p className="text-sm text-destructive">{job.error}</p> : null}
      {report ? <ImportReportView report={report} /> : null}
    </div>
  )
}

/** The archive's format (with a hint on its layout) and what to do with invalid entries. */
function FormatFields({
  format,
  onFormat,
  onInvalid,
  onOnInvalid,
}: {
  format: DatasetFormat
  onFormat: (format: DatasetFormat) => void
  onInvalid: OnInvalid
  onOnInvalid: (value: OnInvalid) => void
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <div className="flex flex-col gap-1.5">
        <Label id="import-format-label">Format</Label>
        <Segmented label="Format" value={format} options={FORMAT_OPTIONS} onChange={onFormat} testId="import-format" />
        <p className="text-xs text-muted-foreground">{FORMAT_OPTIONS.find((o) => o.value === format)?.hint}</p>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="import-on-invalid">Invalid entries</Label>
        <Select value={onInvalid} onValueChange={(v) => onOnInvalid(v as OnInvalid)}>
          <SelectTrigger id="import-on-invalid" data-testid="import-on-invalid">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="fail">Fail: import nothing if any entry is invalid</SelectItem>
            <SelectItem value="skip">Skip: import the valid entries, report the rest</SelectItem>
          </SelectContent>
        </Select>
      </div>
    </div>
  )
}

/** Where the archive goes: a new dataset (named, or after the archive) or an existing one. */
function TargetField({
  target,
  onTarget,
  name,
  onName,
  datasetId,
  onDatasetId,
  file,
}: {
  target: TargetKind
  onTarget: (target: TargetKind) => void
  name: string
  onName: (name: string) => void
  datasetId: string
  onDatasetId: (id: string) => void
  file: File | null
}) {
  const datasets = useDatasetChoices(target === 'existing')
  const items = datasets.data ?? []
  return (
    <div className="flex flex-col gap-1.5">
      <Label>Target dataset</Label>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <Segmented
          label="Target dataset"
          value={target}
          options={[
            { value: 'new', label: 'New dataset' },
            { value: 'existing', label: 'Existing dataset' },
          ]}
          onChange={onTarget}
          testId="import-target"
        />
        {target === 'new' ? (
          <Input
            aria-label="New dataset name"
            placeholder={file ? `Named after ${file.name} if left empty` : 'Name (default: the archive name)'}
            value={name}
            onChange={(e) => onName(e.target.value)}
            className="sm:flex-1"
            data-testid="import-dataset-name"
          />
        ) : datasets.isError ? (
          <span className="text-sm text-destructive">Could not load datasets: {errorMessage(datasets.error)}</span>
        ) : (
          <Select value={datasetId} onValueChange={onDatasetId} disabled={datasets.isPending}>
            <SelectTrigger aria-label="Existing dataset" className="sm:flex-1" data-testid="import-dataset-picker">
              <SelectValue placeholder={datasets.isPending ? 'Loading datasets…' : 'Choose a dataset'} />
            </SelectTrigger>
            <SelectContent>
              {items.length === 0 ? (
                <div className="px-2 py-1.5 text-sm text-muted-foreground">No datasets yet</div>
              ) : (
                items.map((d) => (
                  <SelectItem key={d.id} value={String(d.id)}>
                    {d.name} ({formatCount(d.image_count)} images)
                  </SelectItem>
                ))
              )}
            </SelectContent>
          </Select>
        )}
      </div>
    </div>
  )
}

/** The zip to upload: its name and size, and a button that opens the file chooser. */
function ArchiveField({ file, onFile, disabled }: { file: File | null; onFile: (file: File | null) => void; disabled: boolean }) {
  const fileInput = useRef<HTMLInputElement>(null)
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor="import-file">Zip archive</Label>
      <div
        className={cn(
          'flex items-center gap-3 rounded-md border border-dashed p-3',
          file ? 'bg-muted/20' : 'bg-muted/40',
        )}
      >
        <FileArchiveIcon className="size-6 shrink-0 text-muted-foreground" aria-hidden />
        <div className="min-w-0 flex-1 text-sm">
          {file ? (
            <>
              <p className="truncate font-medium" data-testid="import-file-name">
                {file.name}
              </p>
              <p className="text-xs text-muted-foreground">{formatBytes(file.size)}</p>
            </>
          ) : (
            <p className="text-muted-foreground">A .zip of the dataset folder: images and annotation files.</p>
          )}
        </div>
        <input
          ref={fileInput}
          id="import-file"
          type="file"
          accept=".zip,application/zip"
          className="sr-only"
          data-testid="import-file"
          onChange={(e) => onFile(e.target.files?.[0] ?? null)}
        />
        <Button type="button" variant="outline" size="sm" onClick={() => fileInput.current?.click()} disabled={disabled}>
          {file ? 'Change…' : 'Choose file…'}
        </Button>
      </div>
    </div>
  )
}

function UploadProgressBar({ progress }: { progress: UploadProgress }) {
  return (
    <div className="flex flex-col gap-1" data-testid="import-upload-progress">
      <Progress value={progress.total > 0 ? (progress.loaded / progress.total) * 100 : 0} aria-label="Upload progress" />
      <div className="flex justify-between text-xs text-muted-foreground">
        <span>
          Uploading {formatBytes(progress.loaded)} of {formatBytes(progress.total)}
        </span>
        <span className="tabular-nums">{formatPercent(progress.total > 0 ? progress.loaded / progress.total : 0)}</span>
      </div>
    </div>
  )
}

export function DatasetImportTab() {
  const [format, setFormat] = useState<DatasetFormat>('coco')
  const [target, setTarget] = useState<TargetKind>('new')
  const [name, setName] = useState('')
  const [datasetId, setDatasetId] = useState('')
  const [onInvalid, setOnInvalid] = useState<OnInvalid>('fail')
  const [file, setFile] = useState<File | null>(null)
  const upload = useArchiveImport()
  const { job } = upload

  const targetMissing = target === 'existing' && !datasetId

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!file || targetMissing) return
    upload.start(format, file, {
      dataset_id: target === 'existing' ? Number(datasetId) : null,
      dataset_name: target === 'new' ? name : null,
      on_invalid: onInvalid,
    })
  }

  return (
    <form className="flex flex-col gap-4" onSubmit={submit} data-testid="dataset-import">
      <FormatFields format={format} onFormat={setFormat} onInvalid={onInvalid} onOnInvalid={setOnInvalid} />

      <TargetField
        target={target}
        onTarget={setTarget}
        name={name}
        onName={setName}
        datasetId={datasetId}
        onDatasetId={setDatasetId}
        file={file}
      />

      <ArchiveField
        file={file}
        onFile={(next) => {
          setFile(next)
          upload.clearError()
        }}
        disabled={upload.uploading}
      />

      <div className="flex items-center justify-end gap-2">
        {upload.uploading ? (
          <Button type="button" variant="outline" onClick={upload.cancelUpload}>
            Cancel upload
          </Button>
        ) : null}
        <Button type="submit" disabled={!file || targetMissing || upload.running} data-testid="start-import">
          {upload.running ? <Loader2Icon className="animate-spin" aria-hidden /> : <UploadIcon aria-hidden />}
          Import {FORMAT_OPTIONS.find((o) => o.value === format)?.label}
        </Button>
      </div>

      {upload.uploading && upload.progress ? <UploadProgressBar progress={upload.progress} /> : null}
      {upload.uploadError ? <UploadError error={upload.uploadError} /> : null}
      {upload.jobId !== null ? (
        job.isError ? (
          <ErrorState error={job.error} title="Could not load the import job" onRetry={() => void job.refetch()} className="py-4" />
        ) : job.data ? (
          <ImportJob job={job.data} />
        ) : (
          <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Loading job" />
        )
      ) : null}
    </form>
  )
}
