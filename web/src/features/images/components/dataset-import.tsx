import { useEffect, useRef, useState, type FormEvent } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { AlertTriangleIcon, FileArchiveIcon, Loader2Icon, UploadIcon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Progress } from '@/components/ui/progress'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { CancelJobButton, JobProgress, JobStatusBadge, useLiveJob } from '@/features/jobs'
import {
  ApiError,
  datasetsApi,
  errorMessage,
  importReportOf,
  isActiveJob,
  queryKeys,
  uploadDatasetArchive,
  type DatasetFormat,
  type ImportReport,
  type Job,
  type OnInvalid,
  type UploadProgress,
} from '@/lib/api'
import { formatCount, formatPercent } from '@/lib/format'
import { cn } from '@/lib/utils'
import { ImportReportView } from './import-report'

export const FORMAT_OPTIONS: { value: DatasetFormat; label: string; hint: string }[] = [
  { value: 'coco', label: 'COCO', hint: 'annotations/*.json with images/ (or instances_<split>.json)' },
  { value: 'yolo', label: 'YOLO', hint: 'data.yaml or obj.names, images/ and labels/ (Ultralytics or Darknet)' },
  { value: 'voc', label: 'Pascal VOC', hint: 'one XML per image (Annotations/ or annotations/) with the images' },
]

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** A segmented choice of a few options (radio group semantics). */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string
  value: T
  options: readonly { value: T; label: string }[]
  onChange: (value: T) => void
  testId?: string
}) {
  return (
    <div role="radiogroup" aria-label={label} className="inline-flex w-fit rounded-md border bg-muted/40 p-0.5" data-testid={testId}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          role="radio"
          aria-checked={value === option.value}
          onClick={() => onChange(option.value)}
          className={cn(
            'rounded-[5px] px-3 py-1 text-sm font-medium text-muted-foreground transition-colors outline-none focus-visible:ring-2 focus-visible:ring-ring/40',
            value === option.value && 'bg-card text-foreground shadow-xs',
          )}
        >
          {option.label}
        </button>
      ))}
    </div>
  )
}

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

function reportToast(report: ImportReport): void {
  const target = report.dataset_name ?? `dataset #${report.dataset_id ?? '?'}`
  if (report.outcome === 'rejected') {
    toast.error(`Import rejected: ${formatCount(report.issue_counts.invalid ?? report.issues.length)} invalid entries, nothing imported`)
    return
  }
  const message = `Imported ${formatCount(report.images.added_to_dataset)} images and ${formatCount(report.annotations.imported)} boxes into ${target}`
  if (report.issues.length > 0) toast.warning(`${message} (${formatCount(report.issues.length)} issues)`)
  else toast.success(message)
}

function ImportJob({ job }: { job: Job }) {
  const report = importReportOf(job)
  return (
    <div className="flex flex-col gap-3" data-testid="import-job" data-job-id={job.id} data-status={job.status}>
      <div className="flex items-center justify-between gap-2 text-sm">
        <Link to={`/jobs/${job.id}`} className="font-medium hover:underline">
          Import job #{job.id}
        </Link>
        <div className="flex items-center gap-2">
          <JobStatusBadge status={job.status} cancelRequested={job.cancel_requested} />
          <CancelJobButton job={job} />
        </div>
      </div>
      {isActiveJob(job) || !report ? <JobProgress job={job} /> : null}
      {job.error && !report ? <p className="text-sm text-destructive">{job.error}</p> : null}
      {report ? <ImportReportView report={report} /> : null}
    </div>
  )
}

/** The "Import dataset" tab: a COCO, YOLO or VOC zip into a new or existing dataset, then its report. */
export function DatasetImportTab() {
  const queryClient = useQueryClient()
  const [format, setFormat] = useState<DatasetFormat>('coco')
  const [target, setTarget] = useState<'new' | 'existing'>('new')
  const [name, setName] = useState('')
  const [datasetId, setDatasetId] = useState('')
  const [onInvalid, setOnInvalid] = useState<OnInvalid>('fail')
  const [file, setFile] = useState<File | null>(null)
  const [progress, setProgress] = useState<UploadProgress | null>(null)
  const [uploading, setUploading] = useState(false)
  const [uploadError, setUploadError] = useState<unknown>(null)
  const [jobId, setJobId] = useState<number | null>(null)
  const abort = useRef<AbortController | null>(null)
  const toasted = useRef<number | null>(null)
  const fileInput = useRef<HTMLInputElement>(null)

  const datasets = useQuery({
    queryKey: queryKeys.datasets.list({ limit: 100 }),
    queryFn: ({ signal }) => datasetsApi.list({ limit: 100 }, signal),
    enabled: target === 'existing',
  })
  const { job } = useLiveJob(jobId)

  // When the job ends: refresh what it changed and say how it went, once.
  useEffect(() => {
    const data = job.data
    if (!data || isActiveJob(data) || toasted.current === data.id) return
    toasted.current = data.id
    void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.images.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.classes.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.od.stats() })
    const report = importReportOf(data)
    if (report) reportToast(report)
    else if (data.status === 'cancelled') toast.warning(`Import job #${data.id} cancelled`)
    else toast.error(`Import failed: ${data.error ?? 'see the job for details'}`)
  }, [job.data, queryClient])

  useEffect(() => () => abort.current?.abort(), [])

  const running = uploading || (job.data ? isActiveJob(job.data) : jobId !== null && job.isPending)
  const targetMissing = target === 'existing' && !datasetId
  const hint = FORMAT_OPTIONS.find((o) => o.value === format)?.hint

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!file || targetMissing) return
    const controller = new AbortController()
    abort.current = controller
    setUploadError(null)
    setJobId(null)
    setUploading(true)
    setProgress({ loaded: 0, total: file.size })
    uploadDatasetArchive(format, file, {
      dataset_id: target === 'existing' ? Number(datasetId) : null,
      dataset_name: target === 'new' ? name : null,
      on_invalid: onInvalid,
      onProgress: setProgress,
      signal: controller.signal,
    })
      .then(({ job: started }) => {
        queryClient.setQueryData(queryKeys.jobs.detail(started.id), started)
        void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() })
        setJobId(started.id)
        toast.success(`Uploaded ${file.name}; import job #${started.id} started`)
      })
      .catch((error: unknown) => {
        if (error instanceof DOMException && error.name === 'AbortError') {
          toast.info('Upload cancelled')
          return
        }
        setUploadError(error)
        toast.error(`Import refused: ${errorMessage(error)}`)
      })
      .finally(() => {
        setUploading(false)
        abort.current = null
      })
  }

  return (
    <form className="flex flex-col gap-4" onSubmit={submit} data-testid="dataset-import">
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label id="import-format-label">Format</Label>
          <Segmented
            label="Format"
            value={format}
            options={FORMAT_OPTIONS}
            onChange={setFormat}
            testId="import-format"
          />
          <p className="text-xs text-muted-foreground">{hint}</p>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="import-on-invalid">Invalid entries</Label>
          <Select value={onInvalid} onValueChange={(v) => setOnInvalid(v as OnInvalid)}>
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
            onChange={setTarget}
            testId="import-target"
          />
          {target === 'new' ? (
            <Input
              aria-label="New dataset name"
              placeholder={file ? `Named after ${file.name} if left empty` : 'Name (default: the archive name)'}
              value={name}
              onChange={(e) => setName(e.target.value)}
              className="sm:flex-1"
              data-testid="import-dataset-name"
            />
          ) : datasets.isError ? (
            <span className="text-sm text-destructive">Could not load datasets: {errorMessage(datasets.error)}</span>
          ) : (
            <Select value={datasetId} onValueChange={setDatasetId} disabled={datasets.isPending}>
              <SelectTrigger aria-label="Existing dataset" className="sm:flex-1" data-testid="import-dataset-picker">
                <SelectValue placeholder={datasets.isPending ? 'Loading datasets…' : 'Choose a dataset'} />
              </SelectTrigger>
              <SelectContent>
                {(datasets.data?.items ?? []).length === 0 ? (
                  <div className="px-2 py-1.5 text-sm text-muted-foreground">No datasets yet</div>
                ) : (
                  (datasets.data?.items ?? []).map((d) => (
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
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null)
              setUploadError(null)
            }}
          />
          <Button type="button" variant="outline" size="sm" onClick={() => fileInput.current?.click()} disabled={uploading}>
            {file ? 'Change…' : 'Choose file…'}
          </Button>
        </div>
      </div>

      <div className="flex items-center justify-end gap-2">
        {uploading ? (
          <Button type="button" variant="outline" onClick={() => abort.current?.abort()}>
            Cancel upload
          </Button>
        ) : null}
        <Button type="submit" disabled={!file || targetMissing || running} data-testid="start-import">
          {running ? <Loader2Icon className="animate-spin" aria-hidden /> : <UploadIcon aria-hidden />}
          Import {FORMAT_OPTIONS.find((o) => o.value === format)?.label}
        </Button>
      </div>

      {uploading && progress ? (
        <div className="flex flex-col gap-1" data-testid="import-upload-progress">
          <Progress value={progress.total > 0 ? (progress.loaded / progress.total) * 100 : 0} aria-label="Upload progress" />
          <div className="flex justify-between text-xs text-muted-foreground">
            <span>
              Uploading {formatBytes(progress.loaded)} of {formatBytes(progress.total)}
            </span>
            <span className="tabular-nums">{formatPercent(progress.total > 0 ? progress.loaded / progress.total : 0)}</span>
          </div>
        </div>
      ) : null}
      {uploadError ? <UploadError error={uploadError} /> : null}
      {jobId !== null ? (
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
