/**
 * The editor's keyboard map in one place: a key event in, an action out. The page executes the
 * actions; the help overlay lists SHORTCUT_HELP. Nothing fires while the person is typing.
 */
import { NUDGE_LARGE, NUDGE_SMALL } from './nudge'

export type ShortcutAction =
  | { type: 'class'; index: number }
  | { type: 'delete' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'save' }
  | { type: 'pan'; down: boolean }
  | { type: 'escape' }
  | { type: 'image'; direction: 'prev' | 'next' }
  | { type: 'help' }
  | { type: 'tool'; tool: 'select' | 'draw' | 'polygon' | 'segment' }
  | { type: 'finish' }
  | { type: 'select-all' }
  | { type: 'fit' }
  | { type: 'copy' }
  | { type: 'cut' }
  | { type: 'paste' }
  | { type: 'nudge'; dx: number; dy: number }
  | { type: 'hide' }
  | { type: 'show-all' }
  | { type: 'lock' }
  | { type: 'review'; verdict: 'accepted' | 'rejected'; all: boolean }
  | { type: 'next-prediction'; step: 1 | -1 }
  | { type: 'detect' }

export interface KeyLike {
  key: string
  code?: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
}

/** Inputs, text areas, selects and contenteditable elements keep their keys. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Partial<HTMLElement>).tagName !== 'string') return false
  const el = target as HTMLElement
  const tag = el.tagName.toLowerCase()
  if (tag === 'textarea' || tag === 'select') return true
  if (tag === 'input') {
    const type = ((el as HTMLInputElement).type || 'text').toLowerCase()
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file'].includes(type)
  }
  return el.isContentEditable || el.getAttribute('contenteditable') === 'true'
}

function digit(e: KeyLike): number | null {
  const fromCode = e.code ? /^(?:Digit|Numpad)([1-9])$/.exec(e.code)?.[1] : undefined
  const raw = fromCode ?? (/^[1-9]$/.test(e.key) ? e.key : undefined)
  return raw ? Number(raw) : null
}

const ARROWS: Readonly<Record<string, [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
}

/** Shift+arrow nudges by 1 px, Ctrl/⌘+Shift+arrow by 10; plain arrows stay image navigation. */
function nudge(e: KeyLike, mod: boolean): ShortcutAction | null {
  const arrow = ARROWS[e.key]
  if (!arrow || !e.shiftKey || e.altKey) return null
  const step = mod ? NUDGE_LARGE : NUDGE_SMALL
  return { type: 'nudge', dx: arrow[0] * step, dy: arrow[1] * step }
}

/** The action for a keydown, or null when the key is not the editor's. */
export function resolveKeyDown(e: KeyLike): ShortcutAction | null {
  const mod = e.ctrlKey || e.metaKey
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key
  const arrow = nudge(e, mod)
  if (arrow) return arrow
  if (mod && !e.altKey) {
    if (key === 'z') return e.shiftKey ? { type: 'redo' } : { type: 'undo' }
    if (key === 'y') return { type: 'redo' }
    if (key === 's') return { type: 'save' }
    if (key === 'a') return { type: 'select-all' }
    if (e.shiftKey) return null
    if (key === 'c') return { type: 'copy' }
    if (key === 'x') return { type: 'cut' }
    if (key === 'v') return { type: 'paste' }
    return null
  }
  if (e.altKey) return null
  if (e.key === '?') return { type: 'help' }
  const n = digit(e)
  if (n !== null && !e.shiftKey) return { type: 'class', index: n - 1 }
  switch (key) {
    case 'd':
    case 'Delete':
    case 'Backspace':
      return e.shiftKey ? null : { type: 'delete' }
    case 'Enter':
      return { type: 'finish' }
    case ' ':
      return { type: 'pan', down: true }
    case 'Escape':
      return { type: 'escape' }
    case 'ArrowLeft':
      return { type: 'image', direction: 'prev' }
    case 'ArrowRight':
      return { type: 'image', direction: 'next' }
    case 'h':
      return e.shiftKey ? { type: 'show-all' } : { type: 'hide' }
    case 'l':
      return e.shiftKey ? null : { type: 'lock' }
    case 'v':
      return { type: 'tool', tool: 'select' }
    case 'b':
      return { type: 'tool', tool: 'draw' }
    case 'p':
      return { type: 'tool', tool: 'polygon' }
    case 'f':
      return { type: 'fit' }
    case 's':
      return e.shiftKey ? null : { type: 'tool', tool: 'segment' }
    case 'a':
      return { type: 'review', verdict: 'accepted', all: e.shiftKey }
    case 'r':
      return { type: 'review', verdict: 'rejected', all: e.shiftKey }
    case 'n':
      return { type: 'next-prediction', step: e.shiftKey ? -1 : 1 }
    case 'i':
      return e.shiftKey ? null : { type: 'detect' }
    default:
      return null
  }
}

export function resolveKeyUp(e: KeyLike): ShortcutAction | null {
  return e.key === ' ' ? { type: 'pan', down: false } : null
}

export interface ShortcutHelp {
  keys: string[]
  action: string
}

export const SHORTCUT_HELP: readonly { group: string; items: readonly ShortcutHelp[] }[] = [
  {
    group: 'Shapes',
    items: [
      { keys: ['1', '…', '9'], action: 'Pick class 1–9 (and set it on the selected shapes)' },
      { keys: ['D'], action: 'Delete the selected shapes' },
      { keys: ['Delete'], action: 'Delete the selected shapes' },
      { keys: ['Esc'], action: 'Cancel the drag in progress, or deselect' },
      { keys: ['Ctrl', 'A'], action: 'Select all shapes' },
      { keys: ['Shift', 'click'], action: 'Add to or remove from the selection' },
      { keys: ['Click again'], action: 'Cycle through overlapping shapes' },
      { keys: ['Shift', '←↑↓→'], action: 'Nudge the selected shapes by 1 px' },
      { keys: ['Ctrl', 'Shift', '←↑↓→'], action: 'Nudge the selected shapes by 10 px' },
      { keys: ['Right click'], action: 'Menu: class, copy, paste, hide, lock, order, delete' },
    ],
  },
  {
    group: 'Clipboard, hide and lock',
    items: [
      { keys: ['Ctrl', 'C'], action: 'Copy the selected shapes' },
      { keys: ['Ctrl', 'X'], action: 'Cut the selected shapes' },
      { keys: ['Ctrl', 'V'], action: 'Paste (also on another image; offset if it would cover its original)' },
      { keys: ['H'], action: 'Hide the selected shapes' },
      { keys: ['Shift', 'H'], action: 'Show all hidden shapes' },
      { keys: ['L'], action: 'Lock the selected shapes (unlock from the list or the menu)' },
    ],
  },
  {
    group: 'Polygons',
    items: [
      { keys: ['P'], action: 'Polygon tool: click to place each vertex' },
      { keys: ['Enter'], action: 'Close the polygon (or click its first vertex, or double click)' },
      { keys: ['Backspace'], action: 'While drawing: remove the last vertex (also Ctrl+Z)' },
      { keys: ['Drag vertex'], action: 'Move a vertex of the selected polygon' },
      { keys: ['Click midpoint'], action: 'Add a vertex on that edge (drag to place it)' },
      { keys: ['Ctrl', 'click edge'], action: 'Add a vertex anywhere on the outline' },
      { keys: ['Alt', 'click vertex'], action: 'Delete a vertex (3 always stay)' },
      { keys: ['Delete'], action: 'Delete the clicked vertex, else the selection' },
    ],
  },
  {
    group: 'AI predictions',
    items: [
      { keys: ['I'], action: 'Detect on this image with the AI panel\'s model and prompts' },
      { keys: ['N'], action: 'Select the next prediction (most confident first)' },
      { keys: ['Shift', 'N'], action: 'Select the previous prediction' },
      { keys: ['A'], action: 'Accept the selected prediction and go to the next' },
      { keys: ['R'], action: 'Reject the selected prediction (kept, hidden) and go to the next' },
      { keys: ['Shift', 'A'], action: 'Accept every prediction shown above the threshold' },
      { keys: ['Shift', 'R'], action: 'Reject every prediction shown above the threshold' },
    ],
  },
  {
    group: 'SAM (segment anything)',
    items: [
      { keys: ['S'], action: 'SAM tool' },
      { keys: ['Click'], action: 'Add a point on the object' },
      { keys: ['Shift', 'click'], action: 'Add a point the object must not include (also Alt+click)' },
      { keys: ['Drag'], action: 'Draw a box around the object' },
      { keys: ['Enter'], action: 'Keep the shape in the current class (a polygon in a polygon dataset)' },
      { keys: ['Ctrl', 'Z'], action: 'Take back the last point' },
      { keys: ['Esc'], action: 'Clear the points and the mask' },
    ],
  },
  {
    group: 'History and saving',
    items: [
      { keys: ['Ctrl', 'Z'], action: 'Undo' },
      { keys: ['Ctrl', 'Y'], action: 'Redo' },
      { keys: ['Ctrl', 'Shift', 'Z'], action: 'Redo' },
      { keys: ['Ctrl', 'S'], action: 'Save now (it also saves 2 s after each change)' },
    ],
  },
  {
    group: 'Tools and view',
    items: [
      { keys: ['V'], action: 'Select tool' },
      { keys: ['B'], action: 'Draw tool (drag to draw a box)' },
      { keys: ['P'], action: 'Polygon tool' },
      { keys: ['Space', 'drag'], action: 'Pan' },
      { keys: ['Middle mouse', 'drag'], action: 'Pan' },
      { keys: ['Scroll'], action: 'Pan (Shift + scroll: sideways)' },
      { keys: ['Ctrl', 'scroll'], action: 'Zoom at the cursor (also trackpad pinch)' },
      { keys: ['F'], action: 'Fit the image to the screen' },
    ],
  },
  {
    group: 'Images',
    items: [
      { keys: ['←'], action: 'Previous image (saves first)' },
      { keys: ['→'], action: 'Next image (saves first)' },
      { keys: ['?'], action: 'Show this help' },
    ],
  },
]
