/** Upload a dataset archive, follow its import job, and say how it went once it ends. */
import { useCallback, useEffect, useRef, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { toast } from 'sonner'
import { useJobFinished, useLiveJob, useTrackJob } from '@/features/jobs'
import {
  errorMessage,
  importReportOf,
  isActiveJob,
  queryKeys,
  type DatasetFormat,
  type DatasetImportTarget,
  type ImportReport,
  type Job,
  type UploadProgress,
} from '@/lib/api'
import { formatCount } from '@/lib/format'
import { importsApi } from '../api'

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

export function useArchiveImport() {
  const queryClient = useQueryClient()
  const trackJob = useTrackJob()
  const [progress, setProgress] = useState<UploadProgress | null>(null)
  const [uploading, setUploading] = useState(false)
  const [uploadError, setUploadError] = useState<unknown>(null)
  const [jobId, setJobId] = useState<number | null>(null)
  const abort = useRef<AbortController | null>(null)
  const { job } = useLiveJob(jobId)

  // When the job ends: refresh what it changed and say how it went, once.
  const onFinish = useCallback(
    (data: Job) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.all() })
      void queryClient.invalidateQueries({ queryKey: queryKeys.images.all() })
      void queryClient.invalidateQueries({ queryKey: queryKeys.classes.all() })
      void queryClient.invalidateQueries({ queryKey: queryKeys.od.stats() })
      const report = importReportOf(data)
      if (report) reportToast(report)
      else if (data.status === 'cancelled') toast.warning(`Import job #${data.id} cancelled`)
      else toast.error(`Import failed: ${data.error ?? 'see the job for details'}`)
    },
    [queryClient],
  )
  useJobFinished(job.data, onFinish)

  useEffect(() => () => abort.current?.abort(), [])

  const start = (format: DatasetFormat, file: File, target: DatasetImportTarget) => {
    const controller = new AbortController()
    abort.current = controller
    setUploadError(null)
    setJobId(null)
    setUploading(true)
    setProgress({ loaded: 0, total: file.size })
    importsApi
      .uploadArchive(format, file, { ...target, onProgress: setProgress, signal: controller.signal })
      .then(({ job: started }) => {
        trackJob(started)
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

  return {
    start,
    cancelUpload: () => abort.current?.abort(),
    clearError: () => setUploadError(null),
    uploading,
    progress,
    uploadError,
    jobId,
    job,
    running: uploading || (job.data ? isActiveJob(job.data) : jobId !== null && job.isPending),
  }
}
