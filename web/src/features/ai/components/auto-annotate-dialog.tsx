/**
 * "Auto-annotate": run a detector over a dataset's images (all, unannotated or the selected ones),
 * each prompt's boxes going to a class, then follow the run and open the review queue. From a
 * library selection the person first picks the dataset; the images are added to it, then annotated.
 */
import { Loader2Icon, SparklesIcon } from 'lucide-react'
import { useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useAddImages, useDatasetChoices } from '@/features/datasets'
import { errorMessage } from '@/lib/api'
import { countOf } from '@/lib/format'
import { annotateRequest, formProblems, hasFixedClasses, isOpenVocabulary } from '../hooks/annotate-form'
import { useAnnotateFormState } from '../hooks/annotate-state'
import { useStartAnnotate } from '../hooks/queries'
import { NumbersField, ScopeField, UnknownLabelsField } from './annotate-fields'
import { AnnotateRun } from './annotate-run'
import { ModelSelect } from './model-select'
import { PromptList } from './prompt-list'

export interface AutoAnnotateDialogProps {
  open: boolean
  onOpenChange: (open: boolean) => void
  /** The dataset to annotate; null from the library, where the person picks one. */
  datasetId: number | null
  /** Selected images (library ids); from the library they are added to the dataset first. */
  imageIds?: readonly number[]
}

/** A trained model needs no prompts: it finds the classes it was trained on, mapped to this dataset's by id. */
function TrainedClasses({ names }: { names: readonly string[] }) {
  return (
    <p className="text-sm text-muted-foreground" data-testid="trained-classes">
      This model finds the classes it was trained on{names.length > 0 ? `: ${names.join(', ')}` : ''}. No prompts are needed; its boxes go to the dataset's classes of the same id.
    </p>
  )
}

function DatasetField({ value, onChange }: { value: number | null; onChange: (id: number) => void }) {
  const datasets = useDatasetChoices()
  return (
    <div className="flex flex-col gap-1.5">
      <Label>Dataset (the images are added to it)</Label>
      <Select value={value === null ? '' : String(value)} onValueChange={(v) => onChange(Number(v))}>
        <SelectTrigger aria-label="Dataset" data-testid="annotate-dataset">
          <SelectValue placeholder="Choose a dataset" />
        </SelectTrigger>
        <SelectContent>
          {(datasets.data ?? []).map((d) => (
            <SelectItem key={d.id} value={String(d.id)}>
              {d.name}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  )
}

/** Add the library images to the dataset when asked to, then start the run. */
function useSubmit(datasetId: number | null, addFirst: boolean, onStarted: (jobId: number) => void) {
  const add = useAddImages(datasetId ?? -1)
  const start = useStartAnnotate()
  const submit = async (body: Parameters<typeof start.mutateAsync>[0], imageIds: readonly number[]) => {
    try {
      if (addFirst && imageIds.length > 0) await add.mutateAsync({ image_ids: [...imageIds] })
      const { job } = await start.mutateAsync(body)
      toast.success(`Auto-annotation started (job #${job.id})`)
      onStarted(job.id)
    } catch (error) {
      toast.error(errorMessage(error))
    }
  }
  return { submit, pending: add.isPending || start.isPending }
}

function AnnotateFormView({ fixedDatasetId, imageIds, onStarted }: { fixedDatasetId: number | null; imageIds: readonly number[]; onStarted: (jobId: number, datasetId: number) => void }) {
  const [chosenDataset, setChosenDataset] = useState<number | null>(fixedDatasetId)
  const state = useAnnotateFormState(chosenDataset, imageIds.length > 0 ? 'selected' : 'unannotated')
  const { form, update, detectors } = state
  const model = detectors.find((m) => m.key === form.model)
  const problems = [...(chosenDataset === null ? ['Choose a dataset.'] : []), ...formProblems(form, model, imageIds.length)]
  const { submit, pending } = useSubmit(chosenDataset, fixedDatasetId === null, (jobId) => onStarted(jobId, chosenDataset ?? -1))
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    if (problems.length === 0 && chosenDataset !== null) void submit(annotateRequest(chosenDataset, form, imageIds, model), imageIds)
  }
  if (state.models.isError) return <ErrorState error={state.models.error} title="Could not list the models" onRetry={() => void state.models.refetch()} />
  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4">
      {fixedDatasetId === null ? <DatasetField value={chosenDataset} onChange={setChosenDataset} /> : <ScopeField value={form.scope} selectedCount={imageIds.length} onChange={(scope) => update({ scope })} />}
      <div className="flex flex-col gap-1.5">
        <Label>Model</Label>
        {state.models.isPending ? <LoadingState className="py-2" /> : <ModelSelect models={detectors} value={form.model} onChange={(key) => update({ model: key })} />}
      </div>
      {hasFixedClasses(model) ? <TrainedClasses names={model?.classes ?? []} /> : (
        <div className="flex flex-col gap-1.5">
          <Label>Prompts and the class each one's boxes get</Label>
          {state.classes ? <PromptList prompts={form.prompts} onChange={(prompts) => update({ prompts })} classes={state.classes} /> : <LoadingState className="py-2" />}
        </div>
      )}
      {isOpenVocabulary(model) ? <UnknownLabelsField value={form.unknownLabels} classes={state.classes ?? []} onChange={(unknownLabels) => update({ unknownLabels })} /> : null}
      <NumbersField form={form} onChange={update} />
      <DialogFooter className="items-center gap-2 sm:justify-between">
        <p className="text-xs text-amber-700" data-testid="annotate-problems">{problems[0] ?? ''}</p>
        <Button type="submit" disabled={problems.length > 0 || pending} data-testid="annotate-start">
          {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : <SparklesIcon aria-hidden />} Start auto-annotation
        </Button>
      </DialogFooter>
    </form>
  )
}

export function AutoAnnotateDialog({ open, onOpenChange, datasetId, imageIds = [] }: AutoAnnotateDialogProps) {
  const [run, setRun] = useState<{ jobId: number; datasetId: number } | null>(null)
  const close = () => {
    onOpenChange(false)
    setRun(null)
  }
  return (
    <Dialog open={open} onOpenChange={(next) => (next ? onOpenChange(true) : close())}>
      <DialogContent className="max-h-[92vh] overflow-y-auto sm:max-w-2xl" data-testid="auto-annotate-dialog">
        <DialogHeader>
          <DialogTitle>Auto-annotate</DialogTitle>
          <DialogDescription>
            {imageIds.length > 0 ? `${countOf(imageIds.length, 'selected image')}. ` : ''}
            Predictions are stored for review: dashed in the editor, never replacing a box a person drew or accepted.
          </DialogDescription>
        </DialogHeader>
        {run ? <AnnotateRun jobId={run.jobId} datasetId={run.datasetId} onClose={close} /> : <AnnotateFormView fixedDatasetId={datasetId} imageIds={imageIds} onStarted={(jobId, id) => setRun({ jobId, datasetId: id })} />}
      </DialogContent>
    </Dialog>
  )
}
