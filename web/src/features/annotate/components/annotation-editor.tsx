/**
 * The annotation editor: mounts the engine on a canvas host, wires engine events into the UI
 * store, server state through TanStack Query, autosave, shortcuts and image navigation.
 */
import { useCallback, useEffect, useState, type RefObject } from 'react'
import { toast } from 'sonner'
import { ErrorState, LoadingState } from '@/components/states'
import { useDataset } from '@/features/datasets'
import { imagesApi } from '@/features/images'
import { Editor } from '@/editor/engine'
import { useNextPending } from '@/features/ai'
import type { AnnotationType, DatasetImageStatus } from '@/lib/api'
import { useClassPanel, useRememberedClass } from '../hooks/use-class-panel'
import { useEditorShortcuts, useGoTo, usePickClass, useResolveConflict, useSaveNow, useSetImageStatus } from '../hooks/editor-actions'
import { useCanvasHost, useDocumentItems, useEditorSession, useEngineEvents, useUnsavedChangesWarning } from '../hooks/editor-session'
import { useEditorUi } from '../hooks/editor-ui-store'
import { useImageBitmap } from '../hooks/image-bitmap'
import { usePersistedVisibility } from '../hooks/persisted-visibility'
import { ShapeWordsContext, shapeWordsFor } from '../hooks/shape-words'
import { useEditorClasses, useImageAnnotations, useNeighbors } from '../hooks/queries'
import { useAiAssist } from '../hooks/use-ai-assist'
import type { ClassPanel } from '../hooks/class-panel'
import type { SaveController } from '../sync/save-controller'
import { AiPanel } from './ai-panel'
import { ConflictDialog } from './conflict-dialog'
import { EditorHeader } from './editor-header'
import { EditorWorkspace } from './editor-workspace'
import { HelpOverlay } from './help-overlay'

/** Engine events into the UI store, the classes, the class remembered for the dataset, and the tool it opens with. */
function useEditorSetup(editor: Editor, datasetId: number, panel: ClassPanel): AnnotationType | undefined {
  useEngineEvents(editor)
  useEffect(() => {
    editor.setClasses(panel.all)
  }, [editor, panel.all])
  useRememberedClass(editor, datasetId, panel)
  // A polygon dataset opens with the polygon tool; the box tool stays a key (B) away.
  const annotationType = useDataset(datasetId).data?.annotation_type
  useEffect(() => {
    if (annotationType === 'polygon') editor.setTool('polygon')
  }, [editor, annotationType])
  return annotationType
}

/** The images with predictions waiting, one after another ("Next image with predictions"). */
function useGoToNextPending(datasetId: number, imageId: number, controllerRef: RefObject<SaveController | null>) {
  const nextPending = useNextPending()
  const goTo = useGoTo(datasetId, controllerRef)
  return useCallback(async () => {
    const next = await nextPending(datasetId, imageId).catch(() => null)
    if (next === null) toast.info('No other image of this dataset has predictions waiting.')
    else await goTo(next)
  }, [nextPending, goTo, datasetId, imageId])
}

export function AnnotationEditor({ datasetId, imageId }: { datasetId: number; imageId: number }) {
  const [editor] = useState(() => new Editor())
  const setUi = useEditorUi((s) => s.set)
  const selection = useEditorUi((s) => s.selection)
  const saveState = useEditorUi((s) => s.save)
  const currentClassId = useEditorUi((s) => s.currentClassId)
  const helpOpen = useEditorUi((s) => s.helpOpen)

  const imageQuery = useImageAnnotations(datasetId, imageId)
  const classesQuery = useEditorClasses()
  const neighborsQuery = useNeighbors(datasetId, imageId)
  const [imageStatus, setImageStatus] = useState<DatasetImageStatus | null>(null)
  // The dataset's label set first (keys 1–9), then the rest of the catalogue.
  const panel = useClassPanel(datasetId, classesQuery.data)
  const classes = panel.all
  const { items, counts } = useDocumentItems(editor)
  const annotationType = useEditorSetup(editor, datasetId, panel)
  const host = useCanvasHost(editor, imageQuery.isSuccess)
  const words = shapeWordsFor(annotationType)
  const data = imageQuery.data
  const controllerRef = useEditorSession(editor, { datasetId, imageId, data }, setImageStatus)
  // After the load above: hidden and locked annotations come back as they were on this device.
  usePersistedVisibility(editor, datasetId, imageId, data)
  // Known from the route, so the download and decode run alongside the annotations request.
  const imageError = useImageBitmap(editor, imagesApi.fileUrl(imageId))
  useUnsavedChangesWarning(controllerRef)
  const goTo = useGoTo(datasetId, controllerRef)
  const save = useSaveNow(controllerRef)
  const setStatus = useSetImageStatus({ datasetId, imageId }, controllerRef, goTo, setImageStatus)
  const pickClass = usePickClass(editor)
  const resolveConflict = useResolveConflict(controllerRef)
  const assist = useAiAssist(editor, { datasetId, imageId }, controllerRef, panel, annotationType)
  const nextPending = useGoToNextPending(datasetId, imageId, controllerRef)
  useEditorShortcuts({ editor, classes: panel.keyed, neighbors: neighborsQuery.data, pickClass, save, goTo, detect: assist.runDetect })

  let body
  if (imageQuery.isPending) body = <LoadingState label="Opening the image…" className="flex-1" />
  else if (imageQuery.isError) body = <ErrorState error={imageQuery.error} title="Could not open this image" onRetry={() => void imageQuery.refetch()} className="flex-1" />
  else {
    body = (
      <EditorWorkspace
        editor={editor}
        host={host}
        imageError={imageError}
        datasetId={datasetId}
        panel={panel}
        currentClassId={currentClassId}
        counts={counts}
        items={items}
        selection={selection}
        onPickClass={pickClass}
        onHelp={() => setUi({ helpOpen: true })}
        ai={<AiPanel editor={editor} datasetId={datasetId} assist={assist} classes={classes} onNextPending={() => void nextPending()} />}
        segmenting={assist.segmenting}
      />
    )
  }

  return (
    <ShapeWordsContext value={words}>
      <div className="fixed inset-0 z-30 flex flex-col bg-background" data-testid="annotation-editor">
        <EditorHeader
          datasetId={datasetId}
          imageId={imageId}
          filename={data ? data.image.filename : null}
          status={imageStatus}
          neighbors={neighborsQuery.data}
          saveState={saveState}
          onGoTo={(target) => void goTo(target)}
          onSetStatus={(status) => void setStatus(status)}
          onRetrySave={() => controllerRef.current?.retryNow()}
        />
        {body}
        <HelpOverlay open={helpOpen} onOpenChange={(open) => setUi({ helpOpen: open })} />
        <ConflictDialog conflict={saveState.conflict} onResolve={resolveConflict} />
      </div>
    </ShapeWordsContext>
  )
}
