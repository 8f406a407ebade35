/** Fetch and decode the image off the main thread, then build smaller levels for zoomed-out frames. */
import type { ImageLevels } from '../engine/renderer'

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
