/** Fetch and decode the image off the main thread, then build smaller levels for zoomed-out frames. */
import { useEffect, useState } from 'react'
import type { Editor, ImageLevels } from '@/editor/engine'

/** Decode the full image. */
export async function loadImage(url: string, signal?: AbortSignal): Promise<ImageBitmap> {
  const response = await fetch(url, { credentials: 'same-origin', signal })
  if (!response.ok) throw new Error(`Could not load the image (${response.status} ${response.statusText})`)
  const blob = await response.blob()
  return createImageBitmap(blob)
}

/** Halve until the level is about 1,024 px wide; frames at low zoom then scale a small bitmap. */
export async function buildLevels(full: ImageBitmap): Promise<ImageLevels> {
  const levels: { source: CanvasImageSource; width: number; height: number }[] = [
    { source: full, width: full.width, height: full.height },
  ]
  let w = full.width
  let h = full.height
  while (w > 1024) {
    w = Math.round(w / 2)
    h = Math.round(h / 2)
    const bitmap = await createImageBitmap(full, { resizeWidth: w, resizeHeight: h, resizeQuality: 'medium' })
    levels.push({ source: bitmap, width: w, height: h })
  }
  return { width: full.width, height: full.height, levels }
}

export function singleLevel(full: ImageBitmap): ImageLevels {
  return { width: full.width, height: full.height, levels: [{ source: full, width: full.width, height: full.height }] }
}

/** Load the image into the engine (full size first, then the smaller levels); the error, if any. */
export function useImageBitmap(editor: Editor, url: string): unknown {
  const [imageError, setImageError] = useState<unknown>(null)
  useEffect(() => {
    const abort = new AbortController()
    let cancelled = false
    setImageError(null)
    loadImage(url, abort.signal)
      .then(async (full) => {
        if (cancelled) return
        editor.setImage(singleLevel(full))
        // Smaller levels after the first frame: zoomed-out frames then scale a small bitmap.
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
        const levels = await buildLevels(full)
        if (!cancelled) editor.setImage(levels)
      })
      .catch((error: unknown) => {
        if (!cancelled && !(error instanceof DOMException && error.name === 'AbortError')) setImageError(error)
      })
    return () => {
      cancelled = true
      abort.abort()
      editor.setImage(null)
    }
  }, [editor, url])
  return imageError
}
