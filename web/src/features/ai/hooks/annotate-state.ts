/** The auto-annotate dialog's state: the form, filled in with the dataset's classes and a model once they load. */
import { useQuery } from '@tanstack/react-query'
import { useEffect, useMemo, useState } from 'react'
import { classesApi } from '@/features/classes'
import { datasetsApi } from '@/features/datasets'
import { allPages, queryKeys, type AnnotateScope } from '@/lib/api'
import { defaultModel, FORM_DEFAULTS, type AnnotateForm } from './annotate-form'
import { defaultPrompts, type PromptClass } from './prompts'
import { useMlModels } from './queries'

export type PromptTarget = PromptClass & { color?: string }

/** The classes prompts can go to: the dataset's label set (with the catalogue's aliases), else the whole catalogue. */
export function useTargetClasses(datasetId: number | null) {
  const labelSet = useQuery({
    queryKey: queryKeys.datasets.labelSet(datasetId ?? -1),
    queryFn: ({ signal }) => datasetsApi.labelSet(datasetId ?? -1, signal),
    enabled: datasetId !== null,
  })
  const catalogue = useQuery({
    queryKey: queryKeys.annotate.classes(),
    queryFn: ({ signal }) => allPages((cursor) => classesApi.list({ cursor }, signal)),
    staleTime: 60_000,
  })
  const classes = useMemo((): PromptTarget[] | null => {
    if (!catalogue.data || (datasetId !== null && !labelSet.data && !labelSet.isError)) return null
    const byId = new Map(catalogue.data.map((c) => [c.id, c]))
    const set = (labelSet.data?.items ?? []).map((c) => ({ ...c, aliases: byId.get(c.id)?.aliases ?? [] }))
    return set.length > 0 ? set : catalogue.data
  }, [catalogue.data, labelSet.data, labelSet.isError, datasetId])
  return { classes, error: catalogue.error ?? labelSet.error }
}

export function useAnnotateFormState(datasetId: number | null, scope: AnnotateScope) {
  const models = useMlModels()
  const target = useTargetClasses(datasetId)
  const [form, setForm] = useState<AnnotateForm>({ scope, model: null, prompts: [], ...FORM_DEFAULTS })
  const [promptsFor, setPromptsFor] = useState<number | null | undefined>(undefined)
  // The prompts start as the dataset's classes, again whenever another dataset is chosen.
  useEffect(() => {
    if (target.classes && promptsFor !== datasetId) {
      setPromptsFor(datasetId)
      setForm((f) => ({ ...f, prompts: defaultPrompts(target.classes ?? []) }))
    }
  }, [target.classes, datasetId, promptsFor])
  useEffect(() => {
    if (models.data && form.model === null) setForm((f) => ({ ...f, model: defaultModel(models.data) }))
  }, [models.data, form.model])
  const update = (patch: Partial<AnnotateForm>) => setForm((f) => ({ ...f, ...patch }))
  const detectors = useMemo(() => (models.data ?? []).filter((m) => m.task === 'detector'), [models.data])
  return { form, update, detectors, models, classes: target.classes, classesError: target.error }
}
