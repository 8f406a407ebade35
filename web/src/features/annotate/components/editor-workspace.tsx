/** The canvas host with its toolbar and notices, and the sidebar: class picker and the list of boxes or shapes. */
import { Trash2Icon } from 'lucide-react'
import { useDeferredValue, useMemo, type ReactNode, type RefObject } from 'react'
import { Link } from 'react-router'
import { Button } from '@/components/ui/button'
import { usesVocFlags, type Annotation, type Editor } from '@/editor/engine'
import { errorMessage } from '@/lib/api'
import { AnnotationList } from './annotation-list'
import { AttributesPanel } from './attributes-panel'
import { BoxContextMenu } from './box-context-menu'
import type { ClassPanel } from '../hooks/class-panel'
import { ClassPicker } from './class-picker'
import { SamHint } from './sam-hint'
import { useShapeWords } from '../hooks/shape-words'
import { Toolbar } from './toolbar'

export interface EditorWorkspaceProps {
  editor: Editor
  host: RefObject<HTMLDivElement | null>
  imageError: unknown
  datasetId: number
  /** The dataset's label set then the rest of the catalogue (`panel.all`); `ready` once both loaded, so
   * an empty list then means there are no classes yet. */
  panel: ClassPanel
  currentClassId: number | null
  counts: ReadonlyMap<number, number>
  items: readonly Annotation[]
  selection: readonly string[]
  onPickClass: (classId: number, keys?: readonly string[]) => void
  onHelp: () => void
  /** The AI panel, a column between the canvas and the sidebar while it is open. */
  ai?: ReactNode
  /** A SAM mask is being computed. */
  segmenting?: boolean
}

export function EditorWorkspace(props: EditorWorkspaceProps) {
  const { editor, host, imageError, panel, items, selection } = props
  const classes = panel.all
  const words = useShapeWords()
  return (
    <div className="flex min-h-0 flex-1">
      <div className="flex min-w-0 flex-1 flex-col">
        <Toolbar editor={editor} onHelp={props.onHelp} />
        <BoxContextMenu editor={editor} classes={classes} onPickClass={props.onPickClass}>
          <div className="relative min-h-0 flex-1 overflow-hidden bg-zinc-800" ref={host} data-testid="editor-canvas">
            {imageError ? (
              <div className="absolute inset-x-0 top-3 z-10 mx-auto w-fit rounded-md bg-red-50 px-3 py-1.5 text-sm text-destructive">
                {errorMessage(imageError)}
              </div>
            ) : null}
            <SamHint busy={props.segmenting ?? false} />
            {classes.length === 0 && panel.ready ? (
              <div className="absolute inset-x-0 top-3 z-10 mx-auto w-fit rounded-md bg-amber-50 px-3 py-1.5 text-sm text-amber-800">
                There are no classes yet: <Link className="underline" to="/od/classes">create one</Link> to draw {words.many}.
              </div>
            ) : null}
          </div>
        </BoxContextMenu>
      </div>
      {props.ai}
      <aside className="flex w-80 shrink-0 flex-col border-l bg-card" aria-label="Annotation sidebar">
        <ClassPicker panel={panel} datasetId={props.datasetId} currentClassId={props.currentClassId} counts={props.counts} onPick={props.onPickClass} />
        <div className="flex h-10 shrink-0 items-center gap-2 border-b px-3">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">{words.title}</h2>
          <span className="text-xs tabular-nums text-muted-foreground" data-testid="box-count">
            {items.length.toLocaleString('en-US')}
          </span>
          <div className="flex-1" />
          {selection.length > 0 ? (
            <>
              <span className="text-xs text-muted-foreground" data-testid="selection-count">
                {selection.length} selected
              </span>
              <Button variant="ghost" size="icon-sm" aria-label="Delete selected" title="Delete selected (D)" onClick={() => editor.deleteSelected()}>
                <Trash2Icon />
              </Button>
            </>
          ) : null}
        </div>
        <AnnotationList editor={editor} items={items} classes={classes} selection={selection} />
        <SelectedAttributes editor={editor} items={items} selection={selection} />
      </aside>
    </div>
  )
}

/** The attributes of the one selected box; follows the selection at low priority, so the canvas and list answer a click first. */
function SelectedAttributes({ editor, items, selection }: { editor: Editor; items: readonly Annotation[]; selection: readonly string[] }) {
  const vocFlags = useMemo(() => usesVocFlags(items), [items])
  const selectedOne = useDeferredValue(selection.length === 1 ? (items.find((a) => a.key === selection[0]) ?? null) : null)
  return <AttributesPanel editor={editor} annotation={selectedOne} index={selectedOne ? items.indexOf(selectedOne) : -1} vocFlags={vocFlags} />
}
