/**
 * The annotation editor page: mounts the engine on a canvas host, wires engine events into the
 * UI store, server state through TanStack Query, autosave, shortcuts and image navigation.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query'
import {
  ArrowLeftIcon,
  BanIcon,
  ChevronLeftIcon,
  ChevronRightIcon,
  CircleCheckIcon,
  FastForwardIcon,
  Trash2Icon,
} from 'lucide-react'
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { Link, useNavigate } from 'react-router'
import { toast } from 'sonner'
import { ErrorState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { useClassPanel, useRememberedClass } from '@/features/annotate/hooks/use-class-panel'
import { API_BASE, errorMessage } from '@/lib/api'
import { editorApi, editorKeys, fromServer, saveFor, type ImageStatus } from '../api/annotations'
import { Editor } from '../engine/editor'
import { isTypingTarget, resolveKeyDown, resolveKeyUp, type ShortcutAction } from '../engine/shortcuts'
import type { StaticRenderInfo } from '../engine/renderer'
import { pendingStore } from '../sync/pending-store'
import { SaveController } from '../sync/save-controller'
import { AnnotationList } from './AnnotationList'
import { ClassPicker } from './ClassPicker'
import { ConflictDialog } from './ConflictDialog'
import { HelpOverlay } from './HelpOverlay'
import { buildLevels, loadImage, singleLevel } from './image-loader'
import { SaveStatusIndicator } from './SaveStatusIndicator'
import { useEditorUi } from './store'
import { Toolbar } from './Toolbar'

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

const STATUS_LABEL: Record<ImageStatus, string> = {
  new: 'New',
  in_progress: 'In progress',
  completed: 'Completed',
  skipped: 'Skipped',
}

function useDocumentVersion(editor: Editor): number {
  const version = useRef(0)
  const subscribe = useCallback(
    (notify: () => void) =>
      editor.events.on('documentchange', () => {
        version.current += 1
        notify()
      }),
    [editor],
  )
  return useSyncExternalStore(subscribe, () => version.current)
}

export function EditorPage({ datasetId, imageId }: { datasetId: number; imageId: number }) {
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [editor] = useState(() => new Editor())
  const host = useRef<HTMLDivElement>(null)
  const controllerRef = useRef<SaveController | null>(null)
  const setUi = useEditorUi((s) => s.set)
  const selection = useEditorUi((s) => s.selection)
  const saveState = useEditorUi((s) => s.save)
  const currentClassId = useEditorUi((s) => s.currentClassId)
  const helpOpen = useEditorUi((s) => s.helpOpen)

  const imageQuery = useQuery({
    queryKey: editorKeys.image(datasetId, imageId),
    queryFn: ({ signal }) => editorApi.load(datasetId, imageId, signal),
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    retry: 1,
  })
  const classesQuery = useQuery({
    queryKey: editorKeys.classes(),
    queryFn: ({ signal }) => editorApi.classes(signal),
    staleTime: 60_000,
  })
  const neighborsQuery = useQuery({
    queryKey: editorKeys.neighbors(datasetId, imageId),
    queryFn: ({ signal }) => editorApi.neighbors(datasetId, imageId, signal),
    staleTime: 10_000,
  })
  const [imageStatus, setImageStatus] = useState<ImageStatus | null>(null)
  const [imageError, setImageError] = useState<unknown>(null)

  // The dataset's label set first (keys 1–9), then the rest of the catalogue.
  const panel = useClassPanel(datasetId, classesQuery.data)
  const classes = panel.all
  const docVersion = useDocumentVersion(editor)
  // docVersion is the dependency that says the document changed.
  const items = useMemo(() => [...editor.doc.all()], [editor, docVersion])
  const counts = useMemo(() => {
    const map = new Map<number, number>()
    for (const a of items) map.set(a.classId, (map.get(a.classId) ?? 0) + 1)
    return map
  }, [items])

  // ---- engine → UI store --------------------------------------------------------------------
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

  // ---- canvas host ------------------------------------------------------------------------
  useEffect(() => {
    const el = host.current
    if (!el) return
    editor.mount(el)
    return () => editor.unmount()
  }, [editor, imageQuery.isSuccess])

  useEffect(() => {
    editor.setClasses(classes)
  }, [editor, classes])
  useRememberedClass(editor, datasetId, panel)

  // ---- the document, autosave, restore -----------------------------------------------------
  const data = imageQuery.data
  useEffect(() => {
    if (!data) return
    setImageStatus(data.dataset_image.status)
    editor.load({ width: data.image.width, height: data.image.height }, data.items.map(fromServer), data.dataset_image.revision)
    const hook: EditorHook = {
      editor,
      datasetId,
      imageId,
      renderedAt: null,
      lastRender: null,
      saveStatus: () => controller.current.status,
    }
    window.__shelfscopeEditor = hook
    const offRender = editor.events.on('render', (info) => {
      hook.lastRender = info
      if (hook.renderedAt === null && info.imageDrawn && info.drawn === info.total && info.total === editor.doc.size) {
        hook.renderedAt = performance.now()
        performance.mark('shelfscope:editor-rendered', { detail: { boxes: info.total } })
      }
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
      offRender()
      offSave()
      controllerRef.current = null
      // Leaving the image: save what is left, then stop (edits stay on the device if that fails).
      void controller.flush().finally(() => controller.dispose())
      if (window.__shelfscopeEditor === hook) delete window.__shelfscopeEditor
    }
  }, [data, editor, datasetId, imageId, setUi])

  // ---- the image bitmap ---------------------------------------------------------------------
  // Known from the route, so the download and decode run alongside the annotations request.
  const fileUrl = `${API_BASE}/od/images/${imageId}/file`
  useEffect(() => {
    const abort = new AbortController()
    let cancelled = false
    setImageError(null)
    loadImage(fileUrl, abort.signal)
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
  }, [editor, fileUrl])

  // ---- leaving with unsaved changes ----------------------------------------------------------
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (controllerRef.current?.hasUnsavedChanges) {
        e.preventDefault()
        e.returnValue = ''
      }
    }
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [])

  // ---- actions ------------------------------------------------------------------------------
  const navigating = useRef(false)
  const goTo = useCallback(
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
    [datasetId, navigate],
  )

  const save = useCallback(async () => {
    const controller = controllerRef.current
    if (!controller) return
    const ok = await controller.flush()
    if (ok) toast.success('Saved')
    else if (controller.current.status !== 'conflict') toast.error(`Not saved: ${controller.current.message ?? 'unknown error'}. Kept on this device.`)
  }, [])

  const setStatus = useCallback(
    async (status: ImageStatus) => {
      const controller = controllerRef.current
      if (controller && !(await controller.flush())) {
        toast.error('Save the image first (it is not on the server yet).')
        return
      }
      try {
        await editorApi.setStatus(datasetId, imageId, status)
        setImageStatus(status)
        toast.success(status === 'completed' ? 'Marked completed' : status === 'skipped' ? 'Skipped' : `Marked ${STATUS_LABEL[status]}`)
        void queryClient.invalidateQueries({ queryKey: editorKeys.all() })
        const n = await queryClient.fetchQuery({
          queryKey: editorKeys.neighbors(datasetId, imageId),
          queryFn: ({ signal }) => editorApi.neighbors(datasetId, imageId, signal),
        })
        const next = n.next_unannotated_image_id ?? n.next_image_id
        if (next !== null && next !== imageId) await goTo(next)
      } catch (error) {
        toast.error(errorMessage(error))
      }
    },
    [datasetId, imageId, goTo, queryClient],
  )

  const pickClass = useCallback(
    (classId: number) => {
      editor.setCurrentClass(classId)
      if (editor.selectedKeys.length > 0) editor.changeClass(classId)
    },
    [editor],
  )

  const run = useCallback(
    (action: ShortcutAction) => {
      switch (action.type) {
        case 'class': {
          const c = panel.keyed[action.index]
          if (c) pickClass(c.id)
          return
        }
        case 'delete':
          editor.deleteAnnotations()
          return
        case 'undo':
          editor.undo()
          return
        case 'redo':
          editor.redo()
          return
        case 'save':
          void save()
          return
        case 'pan':
          editor.setSpacePan(action.down)
          return
        case 'escape':
          editor.escape()
          return
        case 'image':
          void goTo(action.direction === 'prev' ? neighborsQuery.data?.prev_image_id : neighborsQuery.data?.next_image_id)
          return
        case 'help':
          setUi({ helpOpen: !useEditorUi.getState().helpOpen })
          return
        case 'tool':
          editor.setTool(action.tool)
          return
        case 'select-all':
          editor.selectAll()
          return
        case 'fit':
          editor.fitToScreen()
          return
      }
    },
    [panel, editor, goTo, neighborsQuery.data, pickClass, save, setUi],
  )

  // ---- keyboard ------------------------------------------------------------------------------
  useEffect(() => {
    const modalOpen = () => document.querySelector('[role="dialog"][data-state="open"], [role="alertdialog"][data-state="open"]') !== null
    const down = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTypingTarget(e.target)) return
      const action = resolveKeyDown(e)
      if (!action) return
      if (modalOpen() && !(action.type === 'help' && useEditorUi.getState().helpOpen)) return
      e.preventDefault()
      if (e.repeat && (action.type === 'pan' || action.type === 'delete' || action.type === 'image' || action.type === 'save')) return
      run(action)
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

  // ---- render ---------------------------------------------------------------------------------
  const neighbors = neighborsQuery.data
  const header = (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b bg-card px-3">
      <Button variant="ghost" size="sm" asChild>
        <Link to="/od/annotate" title="Back to the annotation queue">
          <ArrowLeftIcon />
          Queue
        </Link>
      </Button>
      <div className="min-w-0">
        <h1 className="truncate text-sm font-semibold">
          Annotation editor
          {data ? <span className="ml-2 font-normal text-muted-foreground">{data.image.filename}</span> : null}
        </h1>
      </div>
      {imageStatus ? (
        <Badge variant="outline" data-testid="image-status">
          {STATUS_LABEL[imageStatus]}
        </Badge>
      ) : null}
      <div className="flex-1" />
      <nav aria-label="Images" className="flex items-center gap-1">
        <Button variant="ghost" size="icon-sm" aria-label="Previous image" title="Previous image (←)" disabled={!neighbors?.prev_image_id} onClick={() => void goTo(neighbors?.prev_image_id)}>
          <ChevronLeftIcon />
        </Button>
        <span className="min-w-16 text-center text-sm tabular-nums" data-testid="image-counter">
          {neighbors ? `${neighbors.index} / ${neighbors.total}` : '– / –'}
        </span>
        <Button variant="ghost" size="icon-sm" aria-label="Next image" title="Next image (→)" disabled={!neighbors?.next_image_id} onClick={() => void goTo(neighbors?.next_image_id)}>
          <ChevronRightIcon />
        </Button>
        <Button
          variant="ghost"
          size="sm"
          title="Next image not yet annotated"
          disabled={!neighbors?.next_unannotated_image_id || neighbors.next_unannotated_image_id === imageId}
          onClick={() => void goTo(neighbors?.next_unannotated_image_id)}
        >
          <FastForwardIcon />
          Next unannotated
        </Button>
      </nav>
      <div className="h-5 w-px bg-border" />
      <Button variant="outline" size="sm" onClick={() => void setStatus('skipped')} disabled={!data}>
        <BanIcon />
        Skip
      </Button>
      <Button size="sm" onClick={() => void setStatus('completed')} disabled={!data}>
        <CircleCheckIcon />
        Mark completed
      </Button>
      <SaveStatusIndicator state={saveState} onRetry={() => controllerRef.current?.retryNow()} />
    </header>
  )

  let body
  if (imageQuery.isPending) body = <LoadingState label="Opening the image…" className="flex-1" />
  else if (imageQuery.isError) body = <ErrorState error={imageQuery.error} title="Could not open this image" onRetry={() => void imageQuery.refetch()} className="flex-1" />
  else {
    const selectionCount = selection.length
    body = (
      <div className="flex min-h-0 flex-1">
        <div className="flex min-w-0 flex-1 flex-col">
          <Toolbar editor={editor} onHelp={() => setUi({ helpOpen: true })} />
          <div className="relative min-h-0 flex-1 overflow-hidden bg-zinc-800" ref={host} data-testid="editor-canvas">
            {imageError ? (
              <div className="absolute inset-x-0 top-3 z-10 mx-auto w-fit rounded-md bg-red-50 px-3 py-1.5 text-sm text-destructive">
                {errorMessage(imageError)}
              </div>
            ) : null}
            {classes.length === 0 && panel.ready ? (
              <div className="absolute inset-x-0 top-3 z-10 mx-auto w-fit rounded-md bg-amber-50 px-3 py-1.5 text-sm text-amber-800">
                There are no classes yet: <Link className="underline" to="/od/classes">create one</Link> to draw boxes.
              </div>
            ) : null}
          </div>
        </div>
        <aside className="flex w-80 shrink-0 flex-col border-l bg-card" aria-label="Annotation sidebar">
          <ClassPicker panel={panel} datasetId={datasetId} currentClassId={currentClassId} counts={counts} onPick={pickClass} />
          <div className="flex h-10 shrink-0 items-center gap-2 border-b px-3">
            <h2 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Boxes</h2>
            <span className="text-xs tabular-nums text-muted-foreground" data-testid="box-count">
              {items.length.toLocaleString('en-US')}
            </span>
            <div className="flex-1" />
            {selectionCount > 0 ? (
              <>
                <span className="text-xs text-muted-foreground" data-testid="selection-count">
                  {selectionCount} selected
                </span>
                <Button variant="ghost" size="icon-sm" aria-label="Delete selected" title="Delete selected (D)" onClick={() => editor.deleteAnnotations()}>
                  <Trash2Icon />
                </Button>
              </>
            ) : null}
          </div>
          <AnnotationList editor={editor} items={items} classes={classes} selection={selection} />
        </aside>
      </div>
    )
  }

  return (
    <div className="fixed inset-0 z-30 flex flex-col bg-background" data-testid="annotation-editor">
      {header}
      {body}
      <HelpOverlay open={helpOpen} onOpenChange={(open) => setUi({ helpOpen: open })} />
      <ConflictDialog
        conflict={saveState.conflict}
        onResolve={(choice) => {
          const controller = controllerRef.current
          if (!controller) return
          void controller.resolveConflict(choice).then(() => {
            toast.success(choice === 'theirs' ? 'Loaded the server version' : 'Your edits were applied on top of the server version')
          })
        }}
      />
    </div>
  )
}
