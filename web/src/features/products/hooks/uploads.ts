/** Uploads that start a job: a product video (frames extracted) and a catalogue (products and images imported). */
import { useCallback, useEffect, useRef, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { toast } from 'sonner'
import { useJobFinished, useLiveJob, useTrackJob } from '@/features/jobs'
import { errorMessage, queryKeys, type CatalogueImportOptions, type FramePolicy, type Job, type UploadProgress } from '@/lib/api'
import { countOf } from '@/lib/format'
import { productsApi } from '../api'
import { catalogueResultOf } from './catalogue'
import { useCatalogueChanged } from './queries'

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}

/** Upload progress, cancel and the refusal of one upload at a time. */
function useUploadState() {
  const [progress, setProgress] = useState<UploadProgress | null>(null)
  const [error, setError] = useState<unknown>(null)
  const abort = useRef<AbortController | null>(null)
  useEffect(() => () => abort.current?.abort(), [])
  const begin = (total: number) => {
    const controller = new AbortController()
    abort.current = controller
    setError(null)
    setProgress({ loaded: 0, total })
    return controller
  }
  const end = () => {
    setProgress(null)
    abort.current = null
  }
  return { progress, setProgress, error, setError, begin, end, cancel: () => abort.current?.abort(), uploading: progress !== null }
}

/** Upload a video to a product; its frames come in through the video list, which polls while it extracts. */
export function useVideoUpload(productId: number) {
  const queryClient = useQueryClient()
  const trackJob = useTrackJob()
  const state = useUploadState()
  const start = (file: File, policy: FramePolicy, onStarted?: () => void) => {
    const controller = state.begin(file.size)
    productsApi
      .uploadVideo(productId, file, policy, { onProgress: state.setProgress, signal: controller.signal })
      .then(({ job, video }) => {
        trackJob(job)
        void queryClient.invalidateQueries({ queryKey: queryKeys.products.videos(productId) })
        toast.success(`Uploaded ${video.filename}; taking its frames`)
        onStarted?.()
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return void toast.info('Upload cancelled')
        state.setError(error)
        toast.error(`Video refused: ${errorMessage(error)}`)
      })
      .finally(state.end)
  }
  return { ...state, start }
}

function catalogueToast(job: Job): void {
  const result = catalogueResultOf(job)
  if (job.status === 'succeeded' && result) {
    toast.success(
      `Imported ${countOf(result.products_created, 'new product')}, updated ${result.products_updated}, stored ${countOf(result.images_stored, 'image')}`,
    )
  } else if (job.status === 'cancelled') toast.warning(`Catalogue import #${job.id} cancelled`)
  else if (result && result.issues.length > 0) toast.error(`Catalogue refused: ${countOf(result.issues.length, 'problem')}, nothing imported`)
  else toast.error(`Catalogue import failed: ${job.error ?? 'see the job for details'}`)
}

/** Upload a catalogue (and its images zip), follow the import job, and refresh the catalogue when it ends. */
export function useCatalogueImport() {
  const trackJob = useTrackJob()
  const changed = useCatalogueChanged()
  const state = useUploadState()
  const [jobId, setJobId] = useState<number | null>(null)
  const { job } = useLiveJob(jobId)
  const onFinish = useCallback(
    (data: Job) => {
      changed()
      catalogueToast(data)
    },
    [changed],
  )
  useJobFinished(job.data, onFinish)

  const start = (catalogue: File, images: File | null, options: CatalogueImportOptions) => {
    const controller = state.begin(catalogue.size + (images?.size ?? 0))
    setJobId(null)
    productsApi
      .importCatalogue(catalogue, images, { ...options, onProgress: state.setProgress, signal: controller.signal })
      .then(({ job: started }) => {
        trackJob(started)
        setJobId(started.id)
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return void toast.info('Upload cancelled')
        state.setError(error)
        toast.error(`Catalogue refused: ${errorMessage(error)}`)
      })
      .finally(state.end)
  }
  const reset = () => {
    setJobId(null)
    state.setError(null)
  }
  return { ...state, start, reset, jobId, job }
}
