/** The frame policy of a video upload, checked in the browser the way the API checks it. */
import type { FrameMode } from '@/lib/api'

export const MAX_FRAMES_LIMIT = 1000

/** every_s > 0 (interval only), max_frames 1..1000 (not for the first frame alone); null when fine. */
export function framePolicyError(mode: FrameMode, everyS: number, maxFrames: number): string | null {
  if (mode === 'interval' && !(everyS > 0)) return 'Seconds between frames must be above 0.'
  if (mode !== 'first' && (!Number.isInteger(maxFrames) || maxFrames < 1 || maxFrames > MAX_FRAMES_LIMIT)) {
    return `At most 1 to ${MAX_FRAMES_LIMIT.toLocaleString('en-US')} frames.`
  }
  return null
}
