/**
 * The editor's AI calls: Detect on the open image (its predictions merged into the document as
 * saved, pending review) and the SAM tool's masks, asked for as the person clicks.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react'
import { toast } from 'sonner'
import { paintMask, type Annotation, type Editor, type SegmentPrompt, type SegmentResult } from '@/editor/engine'
import { aiApi } from '@/features/ai'
import { errorMessage, type AiPrompt, type DetectResponse, type SegmentResponse } from '@/lib/api'
import { annotateApi, fromServer } from '../api'
import { LatestOnly } from '../sync/latest-only'
import type { SaveController } from '../sync/save-controller'

/** Detect asks for everything above this (or the slider, if lower), so the slider can then filter without a re-run. */
export const DETECT_FLOOR = 0.05

/**
 * Put a detect answer into the editor: its predictions arrive as saved, and the same model's earlier
 * pending predictions it replaced go. When the editor was at the revision the server stored them on,
 * it moves on to the new one; otherwise someone else changed the image too, so the editor keeps its
 * revision and its next save meets that change as a conflict (nothing of theirs is overwritten).
 * `serverIds` (what the server holds now) stands in for `replaced_ids` when a server does not send them.
 */
export function mergeDetected(editor: Editor, response: DetectResponse, serverIds?: ReadonlySet<number>): { added: Annotation[]; removed: number } {
  const added = response.annotations.map(fromServer).filter((a) => a.id === null || editor.doc.keyForId(a.id) === undefined)
  const replaced = response.replaced_ids ? new Set(response.replaced_ids) : null
  const removed = editor.doc
    .all()
    .filter((a) => a.id !== null && (replaced ? replaced.has(a.id) : a.source === 'ai' && a.reviewState === 'pending' && !serverIds?.has(a.id)))
    .map((a) => a.key)
  const current = response.previous_revision === undefined || response.previous_revision === editor.doc.revision
  editor.doc.applySaved(removed, added, current ? response.revision : editor.doc.revision)
  return { added, removed: removed.length }
}

export interface DetectArgs {
  model: string
  prompts: AiPrompt[]
  threshold: number
}

/** Detect on this image: saves what is unsaved first and holds autosave until the predictions are in. */
export function useDetect(editor: Editor, controllerRef: RefObject<SaveController | null>, image: { datasetId: number; imageId: number }) {
  const { datasetId, imageId } = image
  const [busy, setBusy] = useState(false)
  const running = useRef(false)
  const detect = useCallback(
    async ({ model, prompts, threshold }: DetectArgs) => {
      const controller = controllerRef.current
      if (!controller || running.current) return
      running.current = true
      setBusy(true)
      try {
        const merged = await controller.exclusive(async () => {
          const response = await aiApi.detect({ dataset_id: datasetId, image_id: imageId, model, prompts, threshold: Math.min(DETECT_FLOOR, threshold) })
          // A server that does not say which predictions it replaced: compare with what it holds now.
          const held = response.replaced_ids ? undefined : new Set((await annotateApi.load(datasetId, imageId)).items.map((a) => a.id))
          return mergeDetected(editor, response, held)
        })
        if (merged === null) {
          toast.error('Save the image first: Detect needs its edits on the server.')
          return
        }
        const shown = merged.added.filter((a) => !editor.review.isHidden(a.key))
        toast.success(`${merged.added.length} predictions, ${shown.length} above the threshold`)
        if (editor.selectedKeys.length === 0 && editor.toolId === 'select' && shown[0]) editor.select([shown[0].key])
      } catch (error) {
        toast.error(`Detect failed: ${errorMessage(error)}`)
      } finally {
        running.current = false
        setBusy(false)
      }
    },
    [editor, controllerRef, datasetId, imageId],
  )
  return { detect, busy }
}

/** The answer as the SAM tool shows it; null for an empty mask (nothing to keep). */
function toResult(response: SegmentResponse, color: string): SegmentResult | null {
  if (!response.box) return null
  const [x1, y1, x2, y2] = response.box
  let mask = null
  try {
    mask = paintMask(response.mask, color)
  } catch {
    mask = null // a mask that does not decode still leaves its outline and box
  }
  return { mask, box: { x1, y1, x2, y2 }, polygon: response.polygon.map(([x, y]) => ({ x, y })), score: response.score }
}

/** Ask for a SAM mask each time the prompt changes (one request at a time, the newest prompt next). */
export function useSegmentRequests(editor: Editor, image: { datasetId: number; imageId: number }, model: string | null): boolean {
  const { datasetId, imageId } = image
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    let lastError = ''
    const runner = new LatestOnly<SegmentPrompt, SegmentResponse>(
      (prompt, signal) => {
        const box = prompt.box ? ([prompt.box.x1, prompt.box.y1, prompt.box.x2, prompt.box.y2] as [number, number, number, number]) : null
        // The outline only where Enter keeps one (a polygon dataset): it is the answer's costliest part.
        const polygon = editor.segment.output === 'polygon'
        return aiApi.segment(
          { dataset_id: datasetId, image_id: imageId, model: model ?? '', points: [...prompt.points], box, polygon },
          signal,
        )
      },
      {
        result: (prompt, response) => {
          lastError = ''
          const color = editor.classes.get(editor.currentClassId ?? -1)?.color ?? '#3b82f6'
          editor.segment.setResult(prompt.version, toResult(response, color))
        },
        error: (_prompt, error) => {
          const message = errorMessage(error)
          if (message !== lastError) toast.error(`SAM: ${message}`)
          lastError = message
        },
        busy: setBusy,
      },
    )
    const off = editor.events.on('segmentprompt', (prompt) => {
      if (prompt.points.length === 0 && prompt.box === null) return runner.cancel()
      if (!model) return void toast.info('Choose a SAM model in the AI panel first.', { id: 'sam-model' })
      runner.submit(prompt)
    })
    return () => {
      off()
      runner.dispose()
    }
  }, [editor, datasetId, imageId, model])
  return busy
}
