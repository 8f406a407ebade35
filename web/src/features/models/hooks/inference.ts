/** Test inference in the browser: the server returns every box above a low floor; the slider filters here. */
import type { InferenceBox } from '@/lib/api'

/** The boxes at or above the threshold, best first. */
export function visibleBoxes(boxes: readonly InferenceBox[], threshold: number): InferenceBox[] {
  return boxes.filter((b) => b.score >= threshold).sort((a, b) => b.score - a.score)
}

/** Shown boxes per label, most frequent first ("cola × 3"). */
export function countByLabel(boxes: readonly InferenceBox[]): { label: string; count: number }[] {
  const counts = new Map<string, number>()
  for (const b of boxes) counts.set(b.label, (counts.get(b.label) ?? 0) + 1)
  return [...counts.entries()].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
}

export interface PercentRect {
  left: number
  top: number
  width: number
  height: number
}

/** A box in image pixels as percentages of the image, clipped to it (the overlay scales with the picture). */
export function percentRect(box: Pick<InferenceBox, 'x1' | 'y1' | 'x2' | 'y2'>, width: number, height: number): PercentRect {
  const clampX = (v: number) => Math.min(width, Math.max(0, v))
  const clampY = (v: number) => Math.min(height, Math.max(0, v))
  const x1 = clampX(Math.min(box.x1, box.x2))
  const x2 = clampX(Math.max(box.x1, box.x2))
  const y1 = clampY(Math.min(box.y1, box.y2))
  const y2 = clampY(Math.max(box.y1, box.y2))
  return {
    left: (x1 / width) * 100,
    top: (y1 / height) * 100,
    width: ((x2 - x1) / width) * 100,
    height: ((y2 - y1) / height) * 100,
  }
}

/** The slider's value as the text beside it. */
export function thresholdLabel(threshold: number): string {
  return `${Math.round(threshold * 100)}%`
}

/**
 * The size to show an image at: as large as fits `maxWidth` x `maxHeight`, aspect kept, small images
 * scaled up (a 96 px test image is unreadable at its own size) but never past `maxScale`.
 */
export function displaySize(width: number, height: number, maxWidth = 768, maxHeight = 512, maxScale = 6): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 }
  const scale = Math.min(maxWidth / width, maxHeight / height, maxScale)
  return { width: Math.round(width * scale), height: Math.round(height * scale) }
}
