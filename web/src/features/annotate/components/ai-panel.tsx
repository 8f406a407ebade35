/**
 * The editor's AI panel, a column of its own beside the sidebar (so the classes and the box list keep
 * their room), shown while switched on from the toolbar: Detect with a model and prompts, a threshold
 * that filters the predictions shown (no re-run), accept / reject (one or all shown), the SAM tool,
 * and the next image with predictions. Every action has a key; the panel shows them.
 */
import { SparklesIcon, XIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import type { ClassInfo, Editor } from '@/editor/engine'
import { useAiSettings } from '../hooks/ai-settings'
import type { AiAssist } from '../hooks/use-ai-assist'
import { DetectSection, ReviewSection, SamSection } from './ai-sections'

export interface AiPanelProps {
  editor: Editor
  datasetId: number
  assist: AiAssist
  classes: readonly ClassInfo[]
  onNextPending: () => void
}

export function AiPanel({ editor, datasetId, assist, classes, onNextPending }: AiPanelProps) {
  const open = useAiSettings((s) => s.open)
  const set = useAiSettings((s) => s.set)
  if (!open) return null
  return (
    <aside className="flex w-72 shrink-0 flex-col border-l bg-card" aria-label="AI assist" data-testid="ai-panel">
      <div className="flex h-10 shrink-0 items-center gap-2 border-b px-3">
        <SparklesIcon className="size-4 text-primary" aria-hidden />
        <h2 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">AI assist</h2>
        {assist.detecting ? <Badge variant="info">detecting…</Badge> : null}
        <Button variant="ghost" size="icon-sm" className="ml-auto size-7" aria-label="Close the AI panel" onClick={() => set({ open: false })}>
          <XIcon />
        </Button>
      </div>
      <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto p-3">
        <DetectSection datasetId={datasetId} assist={assist} classes={classes} />
        <ReviewSection editor={editor} onNextPending={onNextPending} />
        <SamSection editor={editor} assist={assist} />
      </div>
    </aside>
  )
}
