/** The AI panel's three parts: Detect (model, prompts), Review (threshold, accept, reject) and SAM. */
import { CheckIcon, CheckCheckIcon, ChevronsRightIcon, Loader2Icon, ScanSearchIcon, WandSparklesIcon, XIcon } from 'lucide-react'
import { useMemo, type KeyboardEvent, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'
import { confidencePercent, isPrediction, reviewable, reviewSelection, reviewShown, type ClassInfo, type Editor } from '@/editor/engine'
import { ModelSelect, PromptList } from '@/features/ai'
import { useAiSettings } from '../hooks/ai-settings'
import { useEditorEventVersion } from '../hooks/editor-event'
import { useEditorUi } from '../hooks/editor-ui-store'
import type { AiAssist } from '../hooks/use-ai-assist'

function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="rounded border bg-muted px-1 font-mono text-[10px] text-muted-foreground">{children}</kbd>
}

function Title({ children }: { children: ReactNode }) {
  return <h3 className="text-[11px] font-medium uppercase tracking-wide text-muted-foreground">{children}</h3>
}

export function DetectSection({ datasetId, assist, classes }: { datasetId: number; assist: AiAssist; classes: readonly ClassInfo[] }) {
  const set = useAiSettings((s) => s.set)
  const setPrompts = useAiSettings((s) => s.setPrompts)
  const custom = useAiSettings((s) => s.prompts[datasetId] !== undefined)
  return (
    <div className="flex flex-col gap-2">
      <Title>Detect</Title>
      <ModelSelect models={assist.detectors} value={assist.model} onChange={(model) => set({ model })} label="Detector" compact />
      <PromptList prompts={assist.prompts} onChange={(prompts) => setPrompts(datasetId, prompts)} classes={classes} compact />
      <div className="flex items-center gap-2">
        <Button size="sm" className="flex-1" onClick={assist.runDetect} disabled={assist.detecting || !assist.model} data-testid="ai-detect">
          {assist.detecting ? <Loader2Icon className="animate-spin" aria-hidden /> : <ScanSearchIcon aria-hidden />} Detect on this image <Kbd>I</Kbd>
        </Button>
        {custom ? (
          <Button size="sm" variant="ghost" onClick={() => setPrompts(datasetId, null)} title="Back to the dataset's classes">
            Reset
          </Button>
        ) : null}
      </div>
    </div>
  )
}

/** The arrow keys move the slider here; they must not also move to another image. */
function keepArrows(e: KeyboardEvent<HTMLInputElement>) {
  if (e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End' || e.key === 'PageUp' || e.key === 'PageDown') e.stopPropagation()
}

function ThresholdSlider({ shown, below }: { shown: number; below: number }) {
  const threshold = useAiSettings((s) => s.threshold)
  const set = useAiSettings((s) => s.set)
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="flex items-center justify-between">
        <span>Confidence threshold</span>
        <span className="tabular-nums font-medium" data-testid="ai-threshold-value">{Math.round(threshold * 100)}%</span>
      </span>
      <input type="range" min={0} max={1} step={0.01} value={threshold} onChange={(e) => set({ threshold: e.target.valueAsNumber })} onKeyDown={keepArrows} aria-label="Confidence threshold" data-testid="ai-threshold" className="accent-primary" />
      <span className="text-xs text-muted-foreground" data-testid="ai-prediction-counts">
        {shown} shown · {below} hidden below the threshold
      </span>
    </label>
  )
}

export function ReviewSection({ editor, onNextPending }: { editor: Editor; onNextPending: () => void }) {
  const doc = useEditorEventVersion(editor, 'documentchange')
  const review = useEditorEventVersion(editor, 'reviewchange')
  const selection = useEditorUi((s) => s.selection)
  const counts = useMemo(() => {
    const pending = editor.doc.all().filter(isPrediction)
    const shown = reviewable(editor).length
    const selected = selection.map((k) => editor.doc.get(k)).filter((a) => a !== undefined && isPrediction(a))
    return { shown, below: pending.filter((a) => editor.review.isHidden(a.key)).length, selected }
    // doc and review are the versions that say the document or the threshold changed.
  }, [editor, selection, doc, review])
  const one = counts.selected.length === 1 ? counts.selected[0] : undefined
  return (
    <div className="flex flex-col gap-2">
      <Title>Review</Title>
      <ThresholdSlider shown={counts.shown} below={counts.below} />
      <div className="flex flex-col gap-1.5 text-sm" data-testid="ai-selected">
        {counts.selected.length === 0 ? <span className="text-xs text-muted-foreground">Select a prediction (<Kbd>N</Kbd> next) to accept or reject it.</span> : (
          <>
            <span className="text-xs">{one ? `Selected prediction: ${confidencePercent(one.confidence ?? 0)}% confident` : `${counts.selected.length} predictions selected`}</span>
            <div className="grid grid-cols-2 gap-1.5">
              <Button size="sm" variant="outline" onClick={() => reviewSelection(editor, 'accepted')} data-testid="ai-accept"><CheckIcon aria-hidden /> Accept <Kbd>A</Kbd></Button>
              <Button size="sm" variant="outline" onClick={() => reviewSelection(editor, 'rejected')} data-testid="ai-reject"><XIcon aria-hidden /> Reject <Kbd>R</Kbd></Button>
            </div>
          </>
        )}
      </div>
      <div className="grid grid-cols-2 gap-1.5">
        <Button size="sm" variant="secondary" disabled={counts.shown === 0} onClick={() => reviewShown(editor, 'accepted')} data-testid="ai-accept-all" title="Accept every prediction shown (Shift+A)"><CheckCheckIcon aria-hidden /> Accept all {counts.shown}</Button>
        <Button size="sm" variant="secondary" disabled={counts.shown === 0} onClick={() => reviewShown(editor, 'rejected')} data-testid="ai-reject-all" title="Reject every prediction shown (Shift+R)"><XIcon aria-hidden /> Reject all {counts.shown}</Button>
      </div>
      <Button size="sm" variant="ghost" onClick={onNextPending} data-testid="ai-next-pending"><ChevronsRightIcon aria-hidden /> Next image with predictions</Button>
    </div>
  )
}

export function SamSection({ editor, assist }: { editor: Editor; assist: AiAssist }) {
  const set = useAiSettings((s) => s.set)
  const tool = useEditorUi((s) => s.tool)
  return (
    <div className="flex flex-col gap-2">
      <Title>Segment anything</Title>
      <ModelSelect models={assist.segmenters} value={assist.samModel} onChange={(samModel) => set({ samModel })} label="SAM model" compact />
      <Button size="sm" variant={tool === 'segment' ? 'secondary' : 'outline'} aria-pressed={tool === 'segment'} onClick={() => editor.setTool(tool === 'segment' ? 'select' : 'segment')} data-testid="ai-sam-tool">
        <WandSparklesIcon aria-hidden /> SAM tool <Kbd>S</Kbd>
      </Button>
    </div>
  )
}
