import { describe, expect, it } from 'vitest'
import { isTypingTarget, resolveKeyDown, resolveKeyUp, SHORTCUT_HELP, type KeyLike } from './shortcuts'

function key(k: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods }
}

describe('shortcuts', () => {
  it('maps the documented keys', () => {
    expect(resolveKeyDown(key('3', { code: 'Digit3' }))).toEqual({ type: 'class', index: 2 })
    expect(resolveKeyDown(key('9'))).toEqual({ type: 'class', index: 8 })
    expect(resolveKeyDown(key('0'))).toBeNull()
    expect(resolveKeyDown(key('d'))).toEqual({ type: 'delete' })
    expect(resolveKeyDown(key('Delete'))).toEqual({ type: 'delete' })
    expect(resolveKeyDown(key('z', { ctrlKey: true }))).toEqual({ type: 'undo' })
    expect(resolveKeyDown(key('z', { metaKey: true }))).toEqual({ type: 'undo' })
    expect(resolveKeyDown(key('y', { ctrlKey: true }))).toEqual({ type: 'redo' })
    expect(resolveKeyDown(key('Z', { ctrlKey: true, shiftKey: true }))).toEqual({ type: 'redo' })
    expect(resolveKeyDown(key('s', { ctrlKey: true }))).toEqual({ type: 'save' })
    expect(resolveKeyDown(key(' '))).toEqual({ type: 'pan', down: true })
    expect(resolveKeyUp(key(' '))).toEqual({ type: 'pan', down: false })
    expect(resolveKeyDown(key('Escape'))).toEqual({ type: 'escape' })
    expect(resolveKeyDown(key('ArrowLeft'))).toEqual({ type: 'image', direction: 'prev' })
    expect(resolveKeyDown(key('ArrowRight'))).toEqual({ type: 'image', direction: 'next' })
    expect(resolveKeyDown(key('?', { shiftKey: true }))).toEqual({ type: 'help' })
  })

  it('maps the polygon keys, and lists them in the help', () => {
    expect(resolveKeyDown(key('p'))).toEqual({ type: 'tool', tool: 'polygon' })
    expect(resolveKeyDown(key('P', { shiftKey: true }))).toEqual({ type: 'tool', tool: 'polygon' })
    expect(resolveKeyDown(key('Backspace'))).toEqual({ type: 'delete' })
    expect(resolveKeyDown(key('Enter'))).toEqual({ type: 'finish' })
    const polygons = SHORTCUT_HELP.find((g) => g.group === 'Polygons')
    expect(polygons?.items.map((i) => i.keys.join('+'))).toEqual(
      expect.arrayContaining(['P', 'Backspace', 'Drag vertex', 'Alt+click vertex', 'Ctrl+click edge']),
    )
  })

  it('leaves other modified keys alone', () => {
    expect(resolveKeyDown(key('d', { ctrlKey: true }))).toBeNull()
    expect(resolveKeyDown(key('1', { altKey: true }))).toBeNull()
    expect(resolveKeyDown(key('r', { ctrlKey: true }))).toBeNull()
  })

  it('Shift+arrows nudge (Ctrl/⌘ for 10 px) while plain arrows keep moving between images', () => {
    expect(resolveKeyDown(key('ArrowLeft', { shiftKey: true }))).toEqual({ type: 'nudge', dx: -1, dy: 0 })
    expect(resolveKeyDown(key('ArrowDown', { shiftKey: true }))).toEqual({ type: 'nudge', dx: 0, dy: 1 })
    expect(resolveKeyDown(key('ArrowUp', { shiftKey: true, ctrlKey: true }))).toEqual({ type: 'nudge', dx: 0, dy: -10 })
    expect(resolveKeyDown(key('ArrowRight', { shiftKey: true, metaKey: true }))).toEqual({ type: 'nudge', dx: 10, dy: 0 })
    expect(resolveKeyDown(key('ArrowRight'))).toEqual({ type: 'image', direction: 'next' })
    expect(resolveKeyDown(key('ArrowUp'))).toBeNull()
    expect(resolveKeyDown(key('ArrowLeft', { shiftKey: true, altKey: true }))).toBeNull()
  })

  it('maps copy, cut, paste, hide and lock', () => {
    expect(resolveKeyDown(key('c', { ctrlKey: true }))).toEqual({ type: 'copy' })
    expect(resolveKeyDown(key('x', { metaKey: true }))).toEqual({ type: 'cut' })
    expect(resolveKeyDown(key('v', { ctrlKey: true }))).toEqual({ type: 'paste' })
    expect(resolveKeyDown(key('V', { ctrlKey: true, shiftKey: true }))).toBeNull()
    expect(resolveKeyDown(key('v'))).toEqual({ type: 'tool', tool: 'select' })
    expect(resolveKeyDown(key('h'))).toEqual({ type: 'hide' })
    expect(resolveKeyDown(key('H', { shiftKey: true }))).toEqual({ type: 'show-all' })
    expect(resolveKeyDown(key('l'))).toEqual({ type: 'lock' })
  })

  it('maps the AI review and SAM keys without taking any key the editor already uses', () => {
    expect(resolveKeyDown(key('a'))).toEqual({ type: 'review', verdict: 'accepted', all: false })
    expect(resolveKeyDown(key('A', { shiftKey: true }))).toEqual({ type: 'review', verdict: 'accepted', all: true })
    expect(resolveKeyDown(key('r'))).toEqual({ type: 'review', verdict: 'rejected', all: false })
    expect(resolveKeyDown(key('R', { shiftKey: true }))).toEqual({ type: 'review', verdict: 'rejected', all: true })
    expect(resolveKeyDown(key('n'))).toEqual({ type: 'next-prediction', step: 1 })
    expect(resolveKeyDown(key('N', { shiftKey: true }))).toEqual({ type: 'next-prediction', step: -1 })
    expect(resolveKeyDown(key('i'))).toEqual({ type: 'detect' })
    expect(resolveKeyDown(key('s'))).toEqual({ type: 'tool', tool: 'segment' })
    // The modified forms keep their old meaning.
    expect(resolveKeyDown(key('a', { ctrlKey: true }))).toEqual({ type: 'select-all' })
    expect(resolveKeyDown(key('s', { ctrlKey: true }))).toEqual({ type: 'save' })
    const help = SHORTCUT_HELP.flatMap((g) => g.items.map((i) => i.keys.join('+')))
    expect(help).toEqual(expect.arrayContaining(['A', 'R', 'Shift+A', 'Shift+R', 'N', 'I', 'S', 'Shift+click']))
  })

  it('knows when the person is typing', () => {
    const input = document.createElement('input')
    const checkbox = document.createElement('input')
    checkbox.type = 'checkbox'
    const select = document.createElement('select')
    const div = document.createElement('div')
    const editable = document.createElement('div')
    editable.setAttribute('contenteditable', 'true')
    expect(isTypingTarget(input)).toBe(true)
    expect(isTypingTarget(select)).toBe(true)
    expect(isTypingTarget(editable)).toBe(true)
    expect(isTypingTarget(checkbox)).toBe(false)
    expect(isTypingTarget(div)).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
  })
})
