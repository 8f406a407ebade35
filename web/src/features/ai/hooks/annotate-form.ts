/** The auto-annotate form as plain data: defaults, what is wrong with it, and the request it sends. */
import type { AiPrompt, AnnotateRequest, AnnotateScope, AiModel } from '@/lib/api'

export interface AnnotateForm {
  scope: AnnotateScope
  model: string | null
  prompts: AiPrompt[]
  /** Labels an open-vocabulary model names itself that no prompt or class matches. */
  unknownLabels: 'drop' | number
  threshold: number
  maxBoxes: number
  nmsIou: number
}

export const FORM_DEFAULTS: Omit<AnnotateForm, 'scope' | 'model' | 'prompts'> = {
  unknownLabels: 'drop',
  threshold: 0.3,
  maxBoxes: 100,
  nmsIou: 0.5,
}

export function isOpenVocabulary(model: AiModel | undefined): boolean {
  return model?.capabilities.includes('open_vocabulary') ?? false
}

/** A trained registry model: it finds its own classes and takes no prompts. */
export function hasFixedClasses(model: AiModel | undefined): boolean {
  return model?.capabilities.includes('fixed_classes') ?? false
}

/** The registry's default model when there is one, else the first detector whose weights are here, else the first detector. */
export function defaultModel(models: readonly AiModel[]): string | null {
  const detectors = models.filter((m) => m.task === 'detector')
  return (detectors.find((m) => m.is_default) ?? detectors.find((m) => m.present) ?? detectors[0])?.key ?? null
}

/** Sentences saying what stops the form from being sent; empty when it can go. */
export function formProblems(form: AnnotateForm, model: AiModel | undefined, selectedCount: number): string[] {
  const problems: string[] = []
  if (!model) problems.push('Choose a model.')
  else if (!model.present) problems.push(`${model.title} is not on this server yet: fetch its weights in Settings → Models.`)
  if (form.scope === 'selected' && selectedCount === 0) problems.push('No images are selected.')
  const fixed = hasFixedClasses(model)
  if (!fixed && form.prompts.length === 0 && !isOpenVocabulary(model)) problems.push('Add at least one prompt.')
  if (!fixed && form.prompts.some((p) => p.class_id === null)) problems.push('Pick a class for every prompt.')
  if (!(form.threshold >= 0 && form.threshold <= 1)) problems.push('The threshold is between 0 and 1.')
  if (!(form.nmsIou > 0 && form.nmsIou <= 1)) problems.push('The NMS IoU is above 0 and at most 1.')
  if (!Number.isInteger(form.maxBoxes) || form.maxBoxes < 1 || form.maxBoxes > 1000) problems.push('Max boxes per image is a whole number from 1 to 1000.')
  return problems
}

/** A trained model (`fixed_classes`) sends no prompts: its classes map to the dataset's by id on the server. */
export function annotateRequest(datasetId: number, form: AnnotateForm, imageIds: readonly number[], model?: AiModel): AnnotateRequest {
  const prompts = hasFixedClasses(model) ? [] : form.prompts
  return {
    dataset_id: datasetId,
    images: form.scope === 'selected' ? { scope: 'selected', image_ids: [...imageIds] } : { scope: form.scope },
    model: form.model ?? '',
    prompts: prompts.map((p) => ({ text: p.text.trim(), class_id: p.class_id })),
    unknown_labels: form.unknownLabels,
    threshold: form.threshold,
    max_boxes_per_image: form.maxBoxes,
    nms_iou: form.nmsIou,
  }
}
