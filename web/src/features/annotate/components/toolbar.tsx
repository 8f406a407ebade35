import { HandIcon, KeyboardIcon, MaximizeIcon, MousePointer2Icon, PentagonIcon, Redo2Icon, SparklesIcon, SquareIcon, Undo2Icon, WandSparklesIcon, ZoomInIcon, ZoomOutIcon } from 'lucide-react'
import type * as React from 'react'
import { Button } from '@/components/ui/button'
import { cn } from '@/lib/utils'
import type { Editor, ToolId } from '@/editor/engine'
import { useAiSettings } from '../hooks/ai-settings'
import { useEditorUi } from '../hooks/editor-ui-store'

function ToolButton({ active, label, shortcut, onClick, children }: { active: boolean; label: string; shortcut: string; onClick: () => void; children: React.ReactNode }) {
  return (
    <Button
      variant={active ? 'secondary' : 'ghost'}
      size="icon-sm"
      aria-label={label}
      aria-pressed={active}
      title={`${label} (${shortcut})`}
      onClick={onClick}
      className={cn(active && 'ring-1 ring-primary/40')}
    >
      {children}
    </Button>
  )
}

/** Tools, undo/redo and zoom controls. */
export function Toolbar({ editor, onHelp }: { editor: Editor; onHelp: () => void }) {
  const tool = useEditorUi((s) => s.tool)
  const spacePan = useEditorUi((s) => s.spacePan)
  const zoom = useEditorUi((s) => s.zoomPercent)
  const history = useEditorUi((s) => s.history)
  const active: ToolId = spacePan ? 'pan' : tool

  return (
    <div role="toolbar" aria-label="Editor tools" className="flex h-11 shrink-0 items-center gap-1 border-b bg-card px-2">
      <ToolButton active={active === 'select'} label="Select" shortcut="V" onClick={() => editor.setTool('select')}>
        <MousePointer2Icon />
      </ToolButton>
      <ToolButton active={active === 'draw'} label="Draw box" shortcut="B" onClick={() => editor.setTool('draw')}>
        <SquareIcon />
      </ToolButton>
      <ToolButton active={active === 'polygon'} label="Draw polygon" shortcut="P" onClick={() => editor.setTool('polygon')}>
        <PentagonIcon />
      </ToolButton>
      <ToolButton active={active === 'segment'} label="SAM: segment anything" shortcut="S" onClick={() => editor.setTool('segment')}>
        <WandSparklesIcon />
      </ToolButton>
      <ToolButton active={active === 'pan'} label="Pan" shortcut="Space" onClick={() => editor.setTool('pan')}>
        <HandIcon />
      </ToolButton>
      <div className="mx-2 h-5 w-px bg-border" />
      <Button variant="ghost" size="icon-sm" aria-label="Undo" title={history.undoLabel ? `Undo ${history.undoLabel} (Ctrl+Z)` : 'Undo (Ctrl+Z)'} disabled={!history.canUndo} onClick={() => editor.undo()}>
        <Undo2Icon />
      </Button>
      <Button variant="ghost" size="icon-sm" aria-label="Redo" title={history.redoLabel ? `Redo ${history.redoLabel} (Ctrl+Y)` : 'Redo (Ctrl+Y)'} disabled={!history.canRedo} onClick={() => editor.redo()}>
        <Redo2Icon />
      </Button>
      <div className="mx-2 h-5 w-px bg-border" />
      <Button variant="ghost" size="icon-sm" aria-label="Zoom out" title="Zoom out (Ctrl+scroll)" onClick={() => editor.zoomOut()}>
        <ZoomOutIcon />
      </Button>
      <button
        type="button"
        className="h-8 w-14 rounded-md text-xs tabular-nums text-muted-foreground hover:bg-accent"
        title="Actual size (100%)"
        data-testid="zoom-level"
        onClick={() => editor.zoomToActualSize()}
      >
        {zoom}%
      </button>
      <Button variant="ghost" size="icon-sm" aria-label="Zoom in" title="Zoom in (Ctrl+scroll)" onClick={() => editor.zoomIn()}>
        <ZoomInIcon />
      </Button>
      <Button variant="ghost" size="sm" title="Fit to screen (F)" onClick={() => editor.fitToScreen()}>
        <MaximizeIcon />
        Fit
      </Button>
      <div className="flex-1" />
      <span className="hidden text-xs text-muted-foreground 2xl:inline">Scroll pans · Ctrl+scroll zooms · Space+drag pans</span>
      <AiToggle />
      <Button variant="ghost" size="icon-sm" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onHelp}>
        <KeyboardIcon />
      </Button>
    </div>
  )
}

/** Shows or hides the AI panel (its state is remembered on this device). */
function AiToggle() {
  const open = useAiSettings((s) => s.open)
  const set = useAiSettings((s) => s.set)
  return (
    <Button variant={open ? 'secondary' : 'ghost'} size="sm" aria-pressed={open} onClick={() => set({ open: !open })} title="AI assist: detect, review predictions, SAM" data-testid="ai-panel-toggle">
      <SparklesIcon />
      AI
    </Button>
  )
}
