/** What the editor's buttons and shortcuts do: move between images, save, set the status, pick a class. */
import { useCallback, useEffect, useRef, type RefObject } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import {
  isTypingTarget,
  nudgeSelection,
  resolveKeyDown,
  resolveKeyUp,
  reviewSelection,
  reviewShown,
  selectNextPrediction,
  type ClassInfo,
  type Editor,
  type ShortcutAction,
} from '@/editor/engine'
import { runBoxAction } from '../components/box-actions'
import { errorMessage, queryKeys, type DatasetImageStatus, type Neighbors } from '@/lib/api'
import { annotateApi } from '../api'
import type { SaveController } from '../sync/save-controller'
import { useEditorUi } from './editor-ui-store'

export const STATUS_LABEL: Record<DatasetImageStatus, string> = {
  new: 'New',
  in_progress: 'In progress',
  completed: 'Completed',
  skipped: 'Skipped',
}

type GoTo = (target: number | null | undefined) => Promise<void>

/** Open another image of the dataset once this one's edits are saved (or kept on the device). */
export function useGoTo(datasetId: number, controllerRef: RefObject<SaveController | null>): GoTo {
  const navigate = useNavigate()
  const navigating = useRef(false)
  return useCallback(
    async (target: number | null | undefined) => {
      if (target === null || target === undefined || navigating.current) return
      navigating.current = true
      try {
        const controller = controllerRef.current
        if (controller) {
          const ok = await controller.flush()
          if (!ok && controller.current.status === 'conflict') {
            toast.error('Settle the conflict before moving to another image.')
            return
          }
          if (!ok) toast.warning('Could not reach the server. Your edits are kept on this device and will be saved when you reopen the image.')
        }
        navigate(`/od/annotate/${datasetId}/${target}`)
      } finally {
        navigating.current = false
      }
    },
    [datasetId, navigate, controllerRef],
  )
}

/** Save now (Ctrl+S), with a toast either way. */
export function useSaveNow(controllerRef: RefObject<SaveController | null>): () => Promise<void> {
  return useCallback(async () => {
    const controller = controllerRef.current
    if (!controller) return
    const ok = await controller.flush()
    if (ok) toast.success('Saved')
    else if (controller.current.status !== 'conflict') toast.error(`Not saved: ${controller.current.message ?? 'unknown error'}. Kept on this device.`)
  }, [controllerRef])
}

/** Mark the image completed or skipped (after saving it), then open the next image to annotate. */
export function useSetImageStatus(
  image: { datasetId: number; imageId: number },
  controllerRef: RefObject<SaveController | null>,
  goTo: GoTo,
  onStatus: (status: DatasetImageStatus) => void,
): (status: DatasetImageStatus) => Promise<void> {
  const { datasetId, imageId } = image
  const queryClient = useQueryClient()
  return useCallback(
    async (status: DatasetImageStatus) => {
      const controller = controllerRef.current
      if (controller && !(await controller.flush())) {
        toast.error('Save the image first (it is not on the server yet).')
        return
      }
      try {
        await annotateApi.setStatus(datasetId, imageId, status)
        onStatus(status)
        toast.success(status === 'completed' ? 'Marked completed' : status === 'skipped' ? 'Skipped' : `Marked ${STATUS_LABEL[status]}`)
        void queryClient.invalidateQueries({ queryKey: queryKeys.annotate.all() })
        const n = await queryClient.fetchQuery({
          queryKey: queryKeys.annotate.neighbors(datasetId, imageId),
          queryFn: ({ signal }) => annotateApi.neighbors(datasetId, imageId, signal),
        })
        const next = n.next_unannotated_image_id ?? n.next_image_id
        if (next !== null && next !== imageId) await goTo(next)
      } catch (error) {
        toast.error(errorMessage(error))
      }
    },
    [datasetId, imageId, goTo, queryClient, controllerRef, onStatus],
  )
}

/** Choose the class for new boxes; with boxes selected, change theirs too. */
export function usePickClass(editor: Editor): (classId: number, keys?: readonly string[]) => void {
  return useCallback(
    (classId: number, keys: readonly string[] = editor.selectedKeys) => {
      editor.setCurrentClass(classId)
      if (keys.length > 0) editor.changeClass(classId, keys)
    },
    [editor],
  )
}

/** Settle a save conflict: take the server's version, or put this device's edits on top of it. */
export function useResolveConflict(controllerRef: RefObject<SaveController | null>): (choice: 'theirs' | 'mine') => void {
  return useCallback(
    (choice: 'theirs' | 'mine') => {
      const controller = controllerRef.current
      if (!controller) return
      void controller.resolveConflict(choice).then(() => {
        toast.success(choice === 'theirs' ? 'Loaded the server version' : 'Your edits were applied on top of the server version')
      })
    },
    [controllerRef],
  )
}

interface ShortcutTargets {
  editor: Editor
  /** What number keys 1–9 pick, in key order. */
  classes: readonly ClassInfo[]
  neighbors: Neighbors | undefined
  pickClass: (classId: number) => void
  save: () => Promise<void>
  goTo: GoTo
  /** I: AI detect on this image. */
  detect: () => void
}

function runShortcut(action: ShortcutAction, t: ShortcutTargets, repeat = false): void {
  const { editor } = t
  switch (action.type) {
    case 'class': {
      const c = t.classes[action.index]
      if (c) t.pickClass(c.id)
      return
    }
    case 'delete':
      editor.deleteSelected()
      return
    case 'finish':
      editor.finish()
      return
    case 'undo':
      editor.undo()
      return
    case 'redo':
      editor.redo()
      return
    case 'save':
      void t.save()
      return
    case 'pan':
      editor.setSpacePan(action.down)
      return
    case 'escape':
      editor.escape()
      return
    case 'image':
      void t.goTo(action.direction === 'prev' ? t.neighbors?.prev_image_id : t.neighbors?.next_image_id)
      return
    case 'help': {
      const ui = useEditorUi.getState()
      ui.set({ helpOpen: !ui.helpOpen })
      return
    }
    case 'tool':
      editor.setTool(action.tool)
      return
    case 'select-all':
      editor.selectAll()
      return
    case 'fit':
      editor.fitToScreen()
      return
    case 'nudge':
      nudgeSelection(editor, action.dx, action.dy, repeat)
      return
    case 'review':
      if (action.all) reviewShown(editor, action.verdict)
      else reviewSelection(editor, action.verdict)
      return
    case 'next-prediction':
      selectNextPrediction(editor, action.step)
      return
    case 'detect':
      t.detect()
      return
    case 'lock':
    case 'hide':
    case 'show-all':
    case 'copy':
    case 'cut':
    case 'paste':
      runBoxAction(editor, action.type)
      return
  }
}

/** The keyboard: shortcuts act unless the person is typing or a dialog (other than help) is open. */
export function useEditorShortcuts(targets: ShortcutTargets): void {
  const { editor, classes, neighbors, pickClass, save, goTo, detect } = targets
  const run = useCallback(
    (action: ShortcutAction, repeat = false) => runShortcut(action, { editor, classes, neighbors, pickClass, save, goTo, detect }, repeat),
    [classes, editor, goTo, neighbors, pickClass, save, detect],
  )
  useEffect(() => {
    const modalOpen = () => document.querySelector('[role="dialog"][data-state="open"], [role="alertdialog"][data-state="open"], [role="menu"][data-state="open"]') !== null
    const once = new Set<ShortcutAction['type']>(['pan', 'delete', 'image', 'save', 'copy', 'cut', 'paste', 'hide', 'show-all', 'lock', 'review', 'detect'])
    const down = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTypingTarget(e.target)) return
      const action = resolveKeyDown(e)
      if (!action) return
      if (modalOpen() && !(action.type === 'help' && useEditorUi.getState().helpOpen)) return
      // Enter keeps its meaning on a focused button unless a polygon is being closed or a SAM shape kept.
      if (action.type === 'finish' && editor.toolPath !== 'polygon.drawing' && editor.toolPath !== 'segment.prompting') return
      // Text selected on the page: Ctrl+C and Ctrl+X copy that text, not boxes.
      if ((action.type === 'copy' || action.type === 'cut') && (window.getSelection()?.toString() ?? '') !== '') return
      e.preventDefault()
      if (e.repeat && once.has(action.type)) return
      run(action, e.repeat)
    }
    const up = (e: KeyboardEvent) => {
      const action = resolveKeyUp(e)
      if (action) run(action)
    }
    const blur = () => editor.setSpacePan(false)
    window.addEventListener('keydown', down)
    window.addEventListener('keyup', up)
    window.addEventListener('blur', blur)
    return () => {
      window.removeEventListener('keydown', down)
      window.removeEventListener('keyup', up)
      window.removeEventListener('blur', blur)
    }
  }, [editor, run])
}
