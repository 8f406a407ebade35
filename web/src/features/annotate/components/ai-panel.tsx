/**
 * The editor's AI panel, folded away until opened: Detect with a model and prompts, a threshold
 * that filters the predictions shown (no re-run), accept / reject (one or all shown), the SAM tool,
 * and the next image with predictions. Every action has a key; the panel only shows them.
 */
import { ChevronDownIcon, ChevronRightIcon, SparklesIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
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
  return (
    <section className="shrink-0 border-b" aria-label="AI assist" data-testid="ai-panel">
      <button
        type="button"
        className="flex h-10 w-full items-center gap-2 px-3 text-left hover:bg-accent/60"
        aria-expanded={open}
        onClick={() => set({ open: !open })}
        data-testid="ai-panel-toggle"
      >
        {open ? <ChevronDownIcon className="size-4" aria-hidden /> : <ChevronRightIcon className="size-4" aria-hidden />}
        <SparklesIcon className="size-4 text-primary" aria-hidden />
        <span className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">AI assist</span>
        {assist.detecting ? <Badge variant="info">detecting…</Badge> : null}
        <span className="ml-auto text-[11px] text-muted-foreground">I detect · A / R review</span>
      </button>
      {open ? (
        <div className="flex max-h-[55vh] flex-col gap-3 overflow-y-auto px-3 pb-3">
          <DetectSection datasetId={datasetId} assist={assist} classes={classes} />
          <ReviewSection editor={editor} onNextPending={onNextPending} />
          <SamSection editor={editor} assist={assist} />
        </div>
      ) : null}
    </section>
  )
}
