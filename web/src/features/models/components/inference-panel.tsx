import { useEffect, useRef, useState } from 'react'
import { Loader2Icon, PlayIcon, UploadIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { imagesApi } from '@/features/images'
import { errorMessage, type InferenceResult, type LibraryImage, type TrainedModel } from '@/lib/api'
import type { InferenceInput } from '../api'
import { countByLabel, thresholdLabel, visibleBoxes } from '../hooks/inference'
import { useInference } from '../hooks/queries'
import { BoxOverlay } from './box-overlay'
import { LibraryChoice } from './library-choice'

interface Source {
  input: InferenceInput
  src: string
  name: string
}

/** An uploaded file's preview URL, released when it is replaced or the panel goes. */
function useObjectUrl(file: File | null): string | null {
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    if (!file) return setUrl(null)
    const next = URL.createObjectURL(file)
    setUrl(next)
    return () => URL.revokeObjectURL(next)
  }, [file])
  return url
}

function ThresholdSlider({ value, onChange, result }: { value: number; onChange: (v: number) => void; result: InferenceResult }) {
  const shown = visibleBoxes(result.boxes, value)
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <label htmlFor="inference-threshold" className="text-muted-foreground">
        Confidence
      </label>
      <input id="inference-threshold" type="range" min={0} max={1} step={0.01} value={value} onChange={(e) => onChange(e.target.valueAsNumber)} className="w-48 accent-primary" data-testid="inference-threshold" />
      <span className="w-10 tabular-nums">{thresholdLabel(value)}</span>
      <span className="text-muted-foreground" data-testid="inference-counts">
        {shown.length} shown · {result.boxes.length - shown.length} below the threshold · {result.seconds.toFixed(2)} s
      </span>
      <span className="flex flex-wrap gap-1 text-xs">
        {countByLabel(shown).map((c) => (
          <span key={c.label} className="rounded bg-muted px-1.5 py-0.5">
            {c.label} × {c.count}
          </span>
        ))}
      </span>
    </div>
  )
}

function SourceButtons({ model, onFile, onLibrary }: { model: TrainedModel; onFile: (f: File) => void; onLibrary: (i: LibraryImage) => void }) {
  const input = useRef<HTMLInputElement | null>(null)
  return (
    <div className="flex flex-wrap gap-2">
      <input ref={input} type="file" accept="image/*" className="hidden" data-testid="inference-file" onChange={(e) => e.target.files?.[0] && onFile(e.target.files[0])} />
      <Button variant="outline" size="sm" onClick={() => input.current?.click()}>
        <UploadIcon aria-hidden /> Upload an image
      </Button>
      <LibraryChoice datasetId={model.dataset_id} onPick={onLibrary} />
    </div>
  )
}

/** Run the model on one image; boxes drawn over it; the slider filters them live, in the browser. */
export function InferencePanel({ model }: { model: TrainedModel }) {
  const [file, setFile] = useState<File | null>(null)
  const [library, setLibrary] = useState<LibraryImage | null>(null)
  const [threshold, setThreshold] = useState(0.3)
  const infer = useInference(model.id)
  const fileUrl = useObjectUrl(file)
  const source: Source | null = file && fileUrl
    ? { input: { file }, src: fileUrl, name: file.name }
    : library
      ? { input: { imageId: library.id }, src: imagesApi.fileUrl(library.id), name: library.filename }
      : null
  const pick = (f: File | null, l: LibraryImage | null) => {
    setFile(f)
    setLibrary(l)
    infer.reset()
  }
  const result = infer.data
  return (
    <div className="flex flex-col gap-3" data-testid="inference-panel">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <SourceButtons model={model} onFile={(f) => pick(f, null)} onLibrary={(l) => pick(null, l)} />
        <Button size="sm" disabled={!source || infer.isPending} onClick={() => source && infer.mutate(source.input)} data-testid="run-inference">
          {infer.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlayIcon aria-hidden />} Run
        </Button>
      </div>
      {source ? <p className="text-xs text-muted-foreground">{source.name}</p> : <p className="text-sm text-muted-foreground">Upload an image or pick one from the library, then Run.</p>}
      {infer.isError ? <p role="alert" className="text-sm text-destructive">{errorMessage(infer.error)}</p> : null}
      {result ? <ThresholdSlider value={threshold} onChange={setThreshold} result={result} /> : null}
      {source ? (
        result ? (
          <BoxOverlay src={source.src} width={result.width} height={result.height} boxes={visibleBoxes(result.boxes, threshold)} />
        ) : (
          <img src={source.src} alt="Test image" className="block max-h-[32rem] max-w-full" />
        )
      ) : null}
    </div>
  )
}
