/**
 * Image uploads over XMLHttpRequest, because fetch cannot report upload progress. Same rules as the
 * JSON client: CSRF header, typed ApiError, and 401 sends the person to the login page.
 */
import { ApiError, buildUrl, CSRF_HEADER, csrfToken, handleUnauthorized } from './client'
import type { BatchResult, ErrorBody, ImageTarget } from './types'

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

/** POST /od/images (multipart `files`, `folder`, `tags`): 200 all stored/duplicate, 207 some rejected. */
export function uploadImages(files: readonly File[], options: UploadOptions = {}): Promise<BatchResult> {
  const form = new FormData()
  for (const file of files) form.append('files', file, file.name)
  if (options.folder) form.append('folder', options.folder)
  if (options.tags && options.tags.length > 0) form.append('tags', options.tags.join(','))

  return new Promise<BatchResult>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl('/od/images'))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    const token = csrfToken()
    if (token) xhr.setRequestHeader(CSRF_HEADER, token)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.({ loaded: event.loaded, total: event.total })
    }
    xhr.onload = () => {
      const body = parseBody(xhr.responseText)
      if (xhr.status === 200 || xhr.status === 207) {
        resolve(body as BatchResult)
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
