/**
 * Multipart uploads over XMLHttpRequest, because fetch cannot report upload progress. Same rules as the
 * JSON client: CSRF header, typed ApiError, and 401 sends the person to the login page.
 */
import { ApiError, buildUrl, CSRF_HEADER, csrfToken, errorBodyOf, handleUnauthorized, UNREACHABLE } from './client'

export interface UploadProgress {
  loaded: number
  total: number
}

export interface UploadOptions {
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

/** POST a multipart form over XHR, reporting upload progress; resolves on the listed statuses. */
export function postForm<T>(path: string, form: FormData, okStatuses: readonly number[], options: UploadOptions = {}): Promise<T> {
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
      reject(new ApiError(xhr.status, errorBodyOf(body), `${xhr.status} ${xhr.statusText}`.trim()))
    }
    xhr.onerror = () => reject(new ApiError(0, null, UNREACHABLE))
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
