/**
 * Image uploads over XMLHttpRequest, because fetch cannot report upload progress. Same rules as the
 * JSON client: CSRF header, typed ApiError, and 401 sends the person to the login page.
 */
import { ApiError, buildUrl, CSRF_HEADER, csrfToken, handleUnauthorized } from './client'
import type { BatchResult, DatasetFormat, DatasetImportTarget, ErrorBody, ImageTarget, JobEnvelope } from './types'

export interface UploadProgress {
  loaded: number
  total: number
}

export interface UploadOptions extends ImageTarget {
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
}

function parseBody(text: string): unknown {
  if (!text) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

function asErrorBody(value: unknown): ErrorBody | null {
  if (typeof value !== 'object' || value === null) return null
  const record = value as Record<string, unknown>
  return typeof record.error === 'string' && typeof record.detail === 'string' ? (value as ErrorBody) : null
}

/** POST a multipart form over XHR, reporting upload progress; resolves on the listed statuses. */
function postForm<T>(
  path: string,
  form: FormData,
  okStatuses: readonly number[],
  options: { onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl(path))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    const token = csrfToken()
    if (token) xhr.setRequestHeader(CSRF_HEADER, token)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.({ loaded: event.loaded, total: event.total })
    }
    xhr.onload = () => {
      const body = parseBody(xhr.responseText)
      if (okStatuses.includes(xhr.status)) {
        resolve(body as T)
        return
      }
      if (xhr.status === 401) handleUnauthorized()
      reject(new ApiError(xhr.status, asErrorBody(body), `${xhr.status} ${xhr.statusText}`.trim()))
    }
    xhr.onerror = () => reject(new ApiError(0, null, 'Cannot reach the Shelfscope server. Check that it is running.'))
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'))
    if (options.signal) {
      if (options.signal.aborted) {
        reject(new DOMException('Upload cancelled', 'AbortError'))
        return
      }
      options.signal.addEventListener('abort', () => xhr.abort(), { once: true })
    }
    xhr.send(form)
  })
}

/** POST /od/images (multipart `files`, `folder`, `tags`): 200 all stored/duplicate, 207 some rejected. */
export function uploadImages(files: readonly File[], options: UploadOptions = {}): Promise<BatchResult> {
  const form = new FormData()
  for (const file of files) form.append('files', file, file.name)
  if (options.folder) form.append('folder', options.folder)
  if (options.tags && options.tags.length > 0) form.append('tags', options.tags.join(','))
  return postForm<BatchResult>('/od/images', form, [200, 207], options)
}

export interface DatasetImportOptions extends DatasetImportTarget {
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
}

/**
 * POST /od/images/import/{format} (multipart `file` = a zip, `dataset_id` | `dataset_name`, `on_invalid`):
 * 202 with the `od.import` job. Unsafe archives are refused at once (422, `kind: "unsafe_archive"`),
 * files that are not zips with 415.
 */
export function uploadDatasetArchive(
  format: DatasetFormat,
  file: File,
  options: DatasetImportOptions = {},
): Promise<JobEnvelope> {
  const form = new FormData()
  form.append('file', file, file.name)
  if (options.dataset_id) form.append('dataset_id', String(options.dataset_id))
  else if (options.dataset_name?.trim()) form.append('dataset_name', options.dataset_name.trim())
  if (options.on_invalid) form.append('on_invalid', options.on_invalid)
  return postForm<JobEnvelope>(`/od/images/import/${format}`, form, [202], options)
}
