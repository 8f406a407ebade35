/**
 * The box and shape actions the keyboard and the context menu share: clipboard, hide, lock, order and
 * delete, each with the short note a person sees afterwards.
 */
import { toast } from 'sonner'
import { copyBoxes, cutBoxes, pasteBoxes, shapesWord, type Editor, restack } from '@/editor/engine'

export type BoxAction = 'copy' | 'cut' | 'paste' | 'hide' | 'show-all' | 'lock' | 'unlock' | 'unlock-all' | 'front' | 'back' | 'delete'

/** "1 box", "3 polygons", "2 shapes" (a mix): what these keys of the document are. */
function counted(editor: Editor, keys: readonly string[]): string {
  const kinds = editor.kindsOf(keys.filter((k) => editor.doc.has(k)))
  return kinds.length === 1 ? `1 ${shapesWord(kinds)}` : shapesWord(kinds)
}

/** Run `action` on `keys` (default: the selection). */
export function runBoxAction(editor: Editor, action: BoxAction, keys: readonly string[] = editor.selectedKeys): void {
  const note = { id: 'editor-box-action' }
  switch (action) {
    case 'copy': {
      const what = counted(editor, keys)
      if (copyBoxes(editor, keys) > 0) toast.success(`Copied ${what}. Ctrl+V pastes here or on another image.`, note)
      return
    }
    case 'cut': {
      const what = counted(editor, editor.visibility.unlocked(keys))
      if (cutBoxes(editor, keys) > 0) toast.success(`Cut ${what}. Ctrl+V pastes them.`, note)
      return
    }
    case 'paste': {
      const pasted = pasteBoxes(editor)
      if (pasted.length > 0) toast.success(`Pasted ${counted(editor, pasted)}`, note)
      else toast.info('Nothing to paste: select something and press Ctrl+C first.', note)
      return
    }
    case 'hide':
      if (editor.setFlag('hidden', keys, true)) toast(`Hid ${counted(editor, keys)}. Shift+H shows them again.`, note)
      return
    case 'show-all':
      editor.setFlag('hidden', [...editor.visibility.hidden], false)
      return
    case 'lock':
      if (editor.setFlag('locked', keys, true)) toast(`Locked ${counted(editor, keys)}: clicks go to what is beneath.`, note)
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
