/** Everything the editor's AI panel and keys need: models, prompts, threshold, Detect and SAM, for one image. */
import { useCallback, useEffect, useMemo, type RefObject } from 'react'
import { toast } from 'sonner'
import type { Editor } from '@/editor/engine'
import { defaultPrompts, modelsOfTask, useMlModels } from '@/features/ai'
import type { AiPrompt, AnnotationType, AiModel } from '@/lib/api'
import type { SaveController } from '../sync/save-controller'
import { useDetect, useSegmentRequests } from './ai-assist'
import { useAiSettings } from './ai-settings'
import type { ClassPanel } from './class-panel'

/** The chosen model if it is in the list, else the registry's default, else the first one whose weights are here. */
function pick(key: string | null, models: readonly AiModel[]): string | null {
  if (key && models.some((m) => m.key === key)) return key
  return (models.find((m) => m.is_default) ?? models.find((m) => m.present) ?? models[0])?.key ?? null
}

export interface AiAssist {
  models: ReturnType<typeof useMlModels>
  detectors: AiModel[]
  segmenters: AiModel[]
  model: string | null
  samModel: string | null
  prompts: AiPrompt[]
  runDetect: () => void
  detecting: boolean
  segmenting: boolean
}

export function useAiAssist(
  editor: Editor,
  image: { datasetId: number; imageId: number },
  controllerRef: RefObject<SaveController | null>,
  panel: ClassPanel,
  annotationType: AnnotationType | undefined,
): AiAssist {
  const settings = useAiSettings()
  const models = useMlModels()
  const detectors = useMemo(() => modelsOfTask(models.data, 'detector'), [models.data])
  const segmenters = useMemo(() => modelsOfTask(models.data, 'segmenter'), [models.data])
  const model = pick(settings.model, detectors)
  const samModel = pick(settings.samModel, segmenters)
  const defaults = useMemo(() => defaultPrompts(panel.set.length > 0 ? panel.set : panel.keyed), [panel])
  const prompts = settings.prompts[image.datasetId] ?? defaults
  const { detect, busy } = useDetect(editor, controllerRef, image)
  const segmenting = useSegmentRequests(editor, image, samModel)
  const { threshold } = settings

  useEffect(() => editor.setReviewThreshold(threshold), [editor, threshold])
  useEffect(() => {
    editor.segment.output = annotationType === 'polygon' ? 'polygon' : 'bbox'
  }, [editor, annotationType])

  const runDetect = useCallback(() => {
    const chosen = detectors.find((m) => m.key === model)
    if (!chosen) toast.info('Choose a detector in the AI panel first.')
    else if (!chosen.present) toast.error(`${chosen.title} has no weights on this server yet: fetch them in Settings → Models.`)
    else if (chosen.capabilities.includes('fixed_classes')) void detect({ model: chosen.key, prompts: [], threshold })
    else if (prompts.length === 0 && !chosen.capabilities.includes('open_vocabulary')) toast.info('Add a prompt in the AI panel first.')
    else void detect({ model: chosen.key, prompts, threshold })
  }, [detectors, model, prompts, threshold, detect])

  return { models, detectors, segmenters, model, samModel, prompts, runDetect, detecting: busy, segmenting }
}
