/**
 * The box actions the keyboard and the context menu share: clipboard, hide, lock, order and
 * delete, each with the short note a person sees afterwards.
 */
import { toast } from 'sonner'
import { copyBoxes, cutBoxes, pasteBoxes, type Editor, restack } from '@/editor/engine'

export type BoxAction = 'copy' | 'cut' | 'paste' | 'hide' | 'show-all' | 'lock' | 'unlock' | 'unlock-all' | 'front' | 'back' | 'delete'

function boxes(n: number): string {
  return n === 1 ? '1 box' : `${n.toLocaleString('en-US')} boxes`
}

/** Run `action` on `keys` (default: the selection). */
export function runBoxAction(editor: Editor, action: BoxAction, keys: readonly string[] = editor.selectedKeys): void {
  const note = { id: 'editor-box-action' }
  switch (action) {
    case 'copy': {
      const n = copyBoxes(editor, keys)
      if (n > 0) toast.success(`Copied ${boxes(n)}. Ctrl+V pastes here or on another image.`, note)
      return
    }
    case 'cut': {
      const n = cutBoxes(editor, keys)
      if (n > 0) toast.success(`Cut ${boxes(n)}. Ctrl+V pastes them.`, note)
      return
    }
    case 'paste': {
      const pasted = pasteBoxes(editor)
      if (pasted.length > 0) toast.success(`Pasted ${boxes(pasted.length)}`, note)
      else toast.info('Nothing to paste: select boxes and press Ctrl+C first.', note)
      return
    }
    case 'hide':
      if (editor.setFlag('hidden', keys, true)) toast(`Hid ${boxes(keys.length)}. Shift+H shows hidden boxes again.`, note)
      return
    case 'show-all':
      editor.setFlag('hidden', [...editor.visibility.hidden], false)
      return
    case 'lock':
      if (editor.setFlag('locked', keys, true)) toast(`Locked ${boxes(keys.length)}: clicks go to the boxes beneath.`, note)
      return
    case 'unlock':
      editor.setFlag('locked', keys, false)
      return
    case 'unlock-all':
      editor.setFlag('locked', [...editor.visibility.locked], false)
      return
    case 'front':
    case 'back':
      restack(editor, action, keys)
      return
    case 'delete':
      editor.deleteAnnotations(keys)
      return
  }
}
