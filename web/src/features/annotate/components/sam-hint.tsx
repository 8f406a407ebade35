/** While the SAM tool is on: how to prompt it, over the top of the canvas (it never takes a click). */
import { Loader2Icon } from 'lucide-react'
import { useEditorUi } from '../hooks/editor-ui-store'

function Key({ children }: { children: string }) {
  return <kbd className="rounded bg-white/15 px-1 font-mono text-[11px]">{children}</kbd>
}

export function SamHint({ busy }: { busy: boolean }) {
  const tool = useEditorUi((s) => s.tool)
  if (tool !== 'segment') return null
  return (
    <div className="pointer-events-none absolute inset-x-0 top-3 z-10 mx-auto flex w-fit items-center gap-2 rounded-md bg-zinc-900/85 px-3 py-1.5 text-xs text-white shadow" data-testid="sam-hint">
      {busy ? <Loader2Icon className="size-3.5 animate-spin" aria-label="Segmenting" /> : null}
      <span>
        Click: include · <Key>Shift</Key>+click: exclude · drag: box · <Key>Enter</Key> keep · <Key>Esc</Key> clear
      </span>
    </div>
  )
}
