import { EyeOffIcon, LockIcon, Trash2Icon } from 'lucide-react'
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react'
import { cn } from '@/lib/utils'
import { confidencePercent, type Annotation, type ClassInfo, type Editor } from '@/editor/engine'
import { useEditorEventVersion } from '../hooks/editor-event'
import { useShapeWords } from '../hooks/shape-words'
import { VisibilityToggle } from './visibility-toggle'

export const ROW_HEIGHT = 34
const OVERSCAN = 6

interface AnnotationListProps {
  editor: Editor
  items: readonly Annotation[]
  classes: readonly ClassInfo[]
  selection: readonly string[]
}

/** One box or shape: its colour, number, class, AI/new marks, hide/lock toggles and a delete button. */
function AnnotationRow({
  editor,
  annotation: a,
  index: i,
  classes,
  selected: isSelected,
  onSelect,
}: {
  editor: Editor
  annotation: Annotation
  index: number
  classes: readonly ClassInfo[]
  selected: boolean
  onSelect: (shift: boolean) => void
}) {
  const color = classes.find((c) => c.id === a.classId)?.color ?? '#94a3b8'
  const hidden = editor.visibility.isHidden(a.key)
  const locked = editor.visibility.isLocked(a.key)
  const { one } = useShapeWords()
  return (
    <div
      role="option"
      aria-selected={isSelected}
      data-testid="annotation-row"
      data-key={a.key}
      style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT }}
      className={cn(
        'absolute inset-x-0 flex cursor-pointer items-center gap-2 border-b border-border/60 px-3 text-sm hover:bg-accent/60',
        isSelected && 'bg-primary/10 hover:bg-primary/15',
        hidden && 'text-muted-foreground [&>select]:opacity-60',
      )}
      data-hidden={hidden || undefined}
      data-review={a.source === 'ai' ? a.reviewState : undefined}
      data-locked={locked || undefined}
      onClick={(e) => onSelect(e.shiftKey)}
    >
      <span className="size-2.5 shrink-0 rounded-full" style={{ backgroundColor: color }} aria-hidden />
      <span className="w-12 shrink-0 text-xs tabular-nums text-muted-foreground">#{i + 1}</span>
      <select
        aria-label={`Class of ${one} ${i + 1}`}
        value={a.classId}
        disabled={locked}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => editor.changeClass(Number(e.target.value), [a.key])}
        className="h-6 min-w-0 flex-1 rounded border border-input bg-card px-1 text-xs"
      >
        {classes.some((c) => c.id === a.classId) ? null : <option value={a.classId}>class {a.classId}</option>}
        {classes.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      {a.source === 'ai' ? (
        <span
          className={cn('rounded border px-1 text-[10px] text-muted-foreground', a.reviewState === 'pending' && 'border-dashed')}
          title={a.reviewState === 'pending' ? 'AI prediction: A accepts, R rejects' : 'AI prediction, accepted'}
        >
          AI{a.reviewState === 'pending' && a.confidence !== null ? ` ${confidencePercent(a.confidence)}%` : ' ✓'}
        </span>
      ) : null}
      {a.id === null ? <span className="text-[10px] text-amber-700" title="Not saved yet">new</span> : null}
      {/* Only on the selected row and where a flag is on: thousands of rows stay light. */}
      {hidden || isSelected ? <VisibilityToggle editor={editor} annotationKey={a.key} flag="hidden" on={hidden} index={i} icon={<EyeOffIcon />} /> : null}
      {locked || isSelected ? <VisibilityToggle editor={editor} annotationKey={a.key} flag="locked" on={locked} index={i} icon={<LockIcon />} /> : null}
      <button
        type="button"
        aria-label={`Delete ${one} ${i + 1}`}
        disabled={locked}
        className="rounded p-1 text-muted-foreground hover:bg-destructive/10 hover:text-destructive disabled:pointer-events-none disabled:opacity-30"
        onClick={(e) => {
          e.stopPropagation()
          editor.deleteAnnotations([a.key])
        }}
      >
        <Trash2Icon className="size-3.5" />
      </button>
    </div>
  )
}

/** Every annotation of the image, virtualised: only the rows on screen exist in the DOM. */
export function AnnotationList({ editor, items, classes, selection }: AnnotationListProps) {
  const scroller = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(400)
  const clickedFromList = useRef(false)
  const selected = new Set(selection)
  useEditorEventVersion(editor, 'visibilitychange')
  const words = useShapeWords()

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    const observer = new ResizeObserver(() => setHeight(el.clientHeight))
    observer.observe(el)
    setHeight(el.clientHeight)
    return () => observer.disconnect()
  }, [])

  // A box picked on the canvas scrolls its row into view.
  useEffect(() => {
    if (clickedFromList.current) {
      clickedFromList.current = false
      return
    }
    const el = scroller.current
    const key = selection.at(-1)
    if (!el || key === undefined) return
    const index = items.findIndex((a) => a.key === key)
    if (index < 0) return
    const top = index * ROW_HEIGHT
    if (top < el.scrollTop || top + ROW_HEIGHT > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, top - el.clientHeight / 2)
    }
  }, [selection, items])

  const start = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN)
  const end = Math.min(items.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN)
  const rows: ReactNode[] = []
  for (let i = start; i < end; i++) {
    const a = items[i]
    if (!a) continue
    const isSelected = selected.has(a.key)
    const onSelect = (shift: boolean) => {
      clickedFromList.current = true
      if (shift) editor.select(isSelected ? selection.filter((k) => k !== a.key) : [...selection, a.key])
      else editor.select([a.key])
      editor.reveal(a.key)
    }
    rows.push(<AnnotationRow key={a.key} editor={editor} annotation={a} index={i} classes={classes} selected={isSelected} onSelect={onSelect} />)
  }

  return (
    <div
      ref={scroller}
      role="listbox"
      aria-label="Annotations"
      aria-multiselectable
      data-testid="annotation-list"
      className="relative min-h-0 flex-1 overflow-y-auto"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      {items.length === 0 ? (
        <p className="p-4 text-sm text-muted-foreground">
          {words.one === 'box'
            ? 'No boxes yet. Pick a class and drag on the image with the draw tool (B).'
            : 'No shapes yet. Pick a class and click around an object with the polygon tool (P), or drag a box with the draw tool (B).'}
        </p>
      ) : (
        <div style={{ height: items.length * ROW_HEIGHT }} className="relative">
          {rows}
        </div>
      )}
    </div>
  )
}
