/**
 * The editor's lifecycle around one image: engine events into the UI store, the canvas host, the
 * loaded document with its autosave and restore, and the warning before leaving unsaved edits.
 */
import { useEffect, useMemo, useRef, type RefObject } from 'react'
import { toast } from 'sonner'
import type { Annotation, Editor, StaticRenderInfo } from '@/editor/engine'
import type { DatasetImageStatus, ImageAnnotations } from '@/lib/api'
import { fromServer, saveFor } from '../api'
import { pendingStore } from '../sync/pending-store'
import { SaveController } from '../sync/save-controller'
import { useEditorUi } from './editor-ui-store'
import { useEditorEventVersion } from './editor-event'

/** What the benchmark and the e2e tests read: the engine and when the first full frame was drawn. */
export interface EditorHook {
  editor: Editor
  datasetId: number
  imageId: number
  /** performance.now() when the static layer first showed the image and every box. */
  renderedAt: number | null
  lastRender: StaticRenderInfo | null
  saveStatus: () => string
}

declare global {
  interface Window {
    __shelfscopeEditor?: EditorHook
  }
}

/**
 * The document's annotations in order and the box count per class, kept current with the engine.
 * Rejected predictions and those below the review threshold are left out, as on the canvas.
 */
export function useDocumentItems(editor: Editor): { items: Annotation[]; counts: Map<number, number> } {
  const docVersion = useEditorEventVersion(editor, 'documentchange')
  const reviewVersion = useEditorEventVersion(editor, 'reviewchange')
  // The versions are the dependencies that say the document or the shown set changed.
  const items = useMemo(() => editor.doc.all().filter((a) => !editor.review.isHidden(a.key)), [editor, docVersion, reviewVersion])
  const counts = useMemo(() => {
    const map = new Map<number, number>()
    for (const a of items) map.set(a.classId, (map.get(a.classId) ?? 0) + 1)
    return map
  }, [items])
  return { items, counts }
}

/** Engine → UI store: tool, selection, history, class, count and zoom read-out. */
export function useEngineEvents(editor: Editor): void {
  const setUi = useEditorUi((s) => s.set)
  useEffect(() => {
    useEditorUi.getState().reset()
    const offs = [
      editor.events.on('selectionchange', (e) => setUi({ selection: e.keys })),
      editor.events.on('historychange', (h) => setUi({ history: h })),
      editor.events.on('toolchange', (t) => setUi({ tool: t.tool, spacePan: t.spacePan })),
      editor.events.on('classchange', (c) => setUi({ currentClassId: c.currentClassId })),
      editor.events.on('documentchange', (d) => setUi({ count: d.count })),
      editor.events.on('viewportchange', (v) => {
        const zoomPercent = Math.round(v.scale * 100)
        if (useEditorUi.getState().zoomPercent !== zoomPercent) setUi({ zoomPercent })
      }),
    ]
    return () => offs.forEach((off) => off())
  }, [editor, setUi])
}

/** The element the engine mounts its canvases on, (re)mounted once the image has loaded. */
export function useCanvasHost(editor: Editor, loaded: boolean): RefObject<HTMLDivElement | null> {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = host.current
    if (!el) return
    editor.mount(el)
    return () => editor.unmount()
  }, [editor, loaded])
  return host
}

/** Publish the engine for the benchmark and e2e tests, noting when every box was first drawn. */
function publishEditorHook(editor: Editor, hook: EditorHook): () => void {
  window.__shelfscopeEditor = hook
  const offRender = editor.events.on('render', (info) => {
    hook.lastRender = info
    if (hook.renderedAt !== null || !info.imageDrawn || info.total !== editor.doc.size) return
    // Hidden annotations (kept hidden on this device, rejected or below the AI threshold) are not drawn: every other one is.
    const hidden = new Set([...editor.visibility.hidden, ...editor.review.hidden].filter((key) => editor.doc.has(key))).size
    if (info.drawn === info.total - hidden) {
      hook.renderedAt = performance.now()
      performance.mark('shelfscope:editor-rendered', { detail: { boxes: info.total } })
    }
  })
  return () => {
    offRender()
    if (window.__shelfscopeEditor === hook) delete window.__shelfscopeEditor
  }
}

/**
 * Load the server's annotations into the engine and run the autosave for this image: edits kept on
 * the device are restored, a reconnect retries, and leaving saves what is left.
 */
export function useEditorSession(
  editor: Editor,
  image: { datasetId: number; imageId: number; data: ImageAnnotations | undefined },
  onStatus: (status: DatasetImageStatus) => void,
): RefObject<SaveController | null> {
  const { datasetId, imageId, data } = image
  const controllerRef = useRef<SaveController | null>(null)
  const setUi = useEditorUi((s) => s.set)
  useEffect(() => {
    if (!data) return
    onStatus(data.dataset_image.status)
    editor.load({ width: data.image.width, height: data.image.height }, data.items.map(fromServer), data.dataset_image.revision)
    const unpublish = publishEditorHook(editor, {
      editor,
      datasetId,
      imageId,
      renderedAt: null,
      lastRender: null,
      saveStatus: () => controller.current.status,
    })
    const controller = new SaveController({ editor, save: saveFor(datasetId, imageId), store: pendingStore(), datasetId, imageId })
    controllerRef.current = controller
    const offSave = controller.events.on('change', (state) => setUi({ save: state }))
    setUi({ save: controller.current })
    controller.start()
    void controller.restore().then((result) => {
      if (result === 'applied') toast.info('Restored edits kept on this device; saving them now.')
    })
    const online = () => controller.retryNow()
    window.addEventListener('online', online)
    return () => {
      window.removeEventListener('online', online)
      offSave()
      controllerRef.current = null
      // Leaving the image: save what is left, then stop (edits stay on the device if that fails).
      void controller.flush().finally(() => controller.dispose())
      unpublish()
    }
  }, [data, editor, datasetId, imageId, setUi, onStatus])
  return controllerRef
}

/** Ask the browser to warn before a reload or close while edits are not on the server. */
export function useUnsavedChangesWarning(controllerRef: RefObject<SaveController | null>): void {
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (controllerRef.current?.hasUnsavedChanges) {
        e.preventDefault()
        e.returnValue = ''
      }
    }
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [controllerRef])
}
