/**
 * Right click on the canvas: on a box, its class, the clipboard, hide, lock, order and delete;
 * on empty image, paste and bringing hidden or locked boxes back. A right click on a box outside
 * the selection selects it first (a locked box is acted on without being selected).
 */
import {
  ArrowDownToLineIcon,
  ArrowUpToLineIcon,
  ClipboardPasteIcon,
  CopyIcon,
  EyeIcon,
  EyeOffIcon,
  LockIcon,
  LockOpenIcon,
  ScissorsIcon,
  SquareDashedMousePointerIcon,
  TagIcon,
  Trash2Icon,
} from 'lucide-react'
import { useState, type ReactNode } from 'react'
import {
  ContextMenu,
  ContextMenuContent,
  ContextMenuItem,
  ContextMenuLabel,
  ContextMenuSeparator,
  ContextMenuShortcut,
  ContextMenuSub,
  ContextMenuSubContent,
  ContextMenuSubTrigger,
  ContextMenuTrigger,
} from '@/components/ui/context-menu'
import { readClipboard, type Editor, type ClassInfo } from '@/editor/engine'
import { useShapeWords } from '../hooks/shape-words'
import { runBoxAction, type BoxAction } from './box-actions'

interface MenuTarget {
  keys: string[]
  locked: boolean
  classIds: Set<number>
  canPaste: boolean
  hidden: number
  lockedCount: number
}

function targetAt(editor: Editor, x: number, y: number): MenuTarget {
  const top = editor.keysAt({ x, y })[0]
  let keys: string[] = []
  if (top !== undefined) {
    if (editor.selectedKeys.includes(top)) keys = [...editor.selectedKeys]
    else {
      keys = [top]
      editor.select([top])
    }
  }
  const count = (set: ReadonlySet<string>) => [...set].filter((k) => editor.doc.has(k)).length
  return {
    keys,
    locked: top !== undefined && editor.visibility.isLocked(top),
    classIds: new Set(keys.map((k) => editor.doc.get(k)?.classId ?? -1)),
    canPaste: (readClipboard()?.boxes.length ?? 0) > 0,
    hidden: count(editor.visibility.hidden),
    lockedCount: count(editor.visibility.locked),
  }
}

interface ItemsProps {
  editor: Editor
  target: MenuTarget
  classes: readonly ClassInfo[]
  act: (action: BoxAction) => () => void
  onPickClass: (classId: number, keys: readonly string[]) => void
}

/** The menu on a box (or on the selection it belongs to). */
function BoxItems({ target, classes, act, onPickClass }: ItemsProps) {
  const { keys, locked } = target
  const words = useShapeWords()
  return (
    <>
      <ContextMenuLabel>
        {keys.length === 1 ? (classes.find((c) => target.classIds.has(c.id))?.name ?? words.One) : words.count(keys.length)}
        {locked ? ' · locked' : ''}
      </ContextMenuLabel>
      <ContextMenuSub>
        <ContextMenuSubTrigger disabled={locked || classes.length === 0}>
          <TagIcon />
          Class
        </ContextMenuSubTrigger>
        <ContextMenuSubContent data-testid="context-menu-classes">
          {classes.map((c, i) => (
            <ContextMenuItem key={c.id} onSelect={() => onPickClass(c.id, keys)}>
              <span className="size-2.5 shrink-0 rounded-full" style={{ backgroundColor: c.color }} aria-hidden />
              <span className={target.classIds.has(c.id) ? 'font-semibold' : undefined}>{c.name}</span>
              {i < 9 ? <ContextMenuShortcut>{i + 1}</ContextMenuShortcut> : null}
            </ContextMenuItem>
          ))}
        </ContextMenuSubContent>
      </ContextMenuSub>
      <ContextMenuSeparator />
      <ContextMenuItem onSelect={act('copy')}>
        <CopyIcon />
        Copy
        <ContextMenuShortcut>Ctrl+C</ContextMenuShortcut>
      </ContextMenuItem>
      <ContextMenuItem onSelect={act('cut')} disabled={locked}>
        <ScissorsIcon />
        Cut
        <ContextMenuShortcut>Ctrl+X</ContextMenuShortcut>
      </ContextMenuItem>
      <ContextMenuItem onSelect={act('paste')} disabled={!target.canPaste}>
        <ClipboardPasteIcon />
        Paste
        <ContextMenuShortcut>Ctrl+V</ContextMenuShortcut>
      </ContextMenuItem>
      <ContextMenuSeparator />
      <ContextMenuItem onSelect={act('hide')}>
        <EyeOffIcon />
        Hide
        <ContextMenuShortcut>H</ContextMenuShortcut>
      </ContextMenuItem>
      {locked ? (
        <ContextMenuItem onSelect={act('unlock')}>
          <LockOpenIcon />
          Unlock
        </ContextMenuItem>
      ) : (
        <ContextMenuItem onSelect={act('lock')}>
          <LockIcon />
          Lock
          <ContextMenuShortcut>L</ContextMenuShortcut>
        </ContextMenuItem>
      )}
      <ContextMenuItem onSelect={act('front')}>
        <ArrowUpToLineIcon />
        Bring to front
      </ContextMenuItem>
      <ContextMenuItem onSelect={act('back')}>
        <ArrowDownToLineIcon />
        Send to back
      </ContextMenuItem>
      <ContextMenuSeparator />
      <ContextMenuItem variant="destructive" onSelect={act('delete')} disabled={locked}>
        <Trash2Icon />
        Delete
        <ContextMenuShortcut>D</ContextMenuShortcut>
      </ContextMenuItem>
    </>
  )
}

/** The menu on empty image: paste, select all, and bring hidden or locked boxes back. */
function EmptyItems({ editor, target, act }: ItemsProps) {
  const words = useShapeWords()
  return (
    <>
      <ContextMenuItem onSelect={act('paste')} disabled={!target.canPaste}>
        <ClipboardPasteIcon />
        Paste
        <ContextMenuShortcut>Ctrl+V</ContextMenuShortcut>
      </ContextMenuItem>
      <ContextMenuItem onSelect={() => editor.selectAll()} disabled={editor.doc.size === 0}>
        <SquareDashedMousePointerIcon />
        Select all
        <ContextMenuShortcut>Ctrl+A</ContextMenuShortcut>
      </ContextMenuItem>
      <ContextMenuSeparator />
      <ContextMenuItem onSelect={act('show-all')} disabled={target.hidden === 0}>
        <EyeIcon />
        Show hidden {words.many}{target.hidden > 0 ? ` (${target.hidden})` : ''}
        <ContextMenuShortcut>Shift+H</ContextMenuShortcut>
      </ContextMenuItem>
      <ContextMenuItem onSelect={act('unlock-all')} disabled={target.lockedCount === 0}>
        <LockOpenIcon />
        Unlock all{target.lockedCount > 0 ? ` (${target.lockedCount})` : ''}
      </ContextMenuItem>
    </>
  )
}

export function BoxContextMenu({ editor, classes, onPickClass, children }: { editor: Editor; classes: readonly ClassInfo[]; onPickClass: (classId: number, keys: readonly string[]) => void; children: ReactNode }) {
  const [target, setTarget] = useState<MenuTarget | null>(null)
  const act = (action: BoxAction) => () => runBoxAction(editor, action, target?.keys ?? [])
  const props = target ? { editor, target, classes, act, onPickClass } : null
  return (
    <ContextMenu>
      <ContextMenuTrigger
        asChild
        onContextMenu={(e) => {
          const rect = e.currentTarget.getBoundingClientRect()
          setTarget(targetAt(editor, e.clientX - rect.left, e.clientY - rect.top))
        }}
      >
        {children}
      </ContextMenuTrigger>
      <ContextMenuContent className="w-60" data-testid="box-context-menu">
        {props && props.target.keys.length > 0 ? <BoxItems {...props} /> : null}
        {props && props.target.keys.length === 0 ? <EmptyItems {...props} /> : null}
      </ContextMenuContent>
    </ContextMenu>
  )
}
