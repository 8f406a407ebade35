/** The extraction form's state: defaults to the first usable model, checks before sending, the API's refusals by field. */
import { useEffect, useState } from 'react'
import { toast } from 'sonner'
import { apiFieldErrors, type FieldErrors } from '@/features/training'
import { isApiError, type EmbedModel } from '@/lib/api'
import { DEFAULT_EXTRACT_FORM, defaultModel, extractFormErrors, extractRequest, type ExtractForm } from './extract-form'
import { useExtract } from './queries'

/** A refusal as field → message; the size mismatch names both sizes (the API's sentence does, else they are added). */
function refusal(error: unknown): FieldErrors {
  if (isApiError(error) && error.body?.collection_dim !== undefined && error.body?.model_dim !== undefined) {
    const [have, want] = [String(error.body.collection_dim), String(error.body.model_dim)]
    const named = error.detail.includes(have) && error.detail.includes(want)
    return { collection: named ? error.detail : `${error.detail} (collection ${have}-d, model ${want}-d)` }
  }
  const errors = apiFieldErrors(error)
  // "model.trained_model_id" and "model.backbone" both belong to the model dropdown.
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field.startsWith('model') ? 'model' : field, message]))
}

export function useExtractForm(models: readonly EmbedModel[], onStarted: (started: { jobId: number; collectionId: number }) => void) {
  const [form, setForm] = useState<ExtractForm>(DEFAULT_EXTRACT_FORM)
  const [errors, setErrors] = useState<FieldErrors>({})
  const extract = useExtract()
  useEffect(() => {
    if (form.model === null && models.length > 0) setForm((f) => ({ ...f, model: defaultModel(models) }))
  }, [form.model, models])
  const edit = (patch: Partial<ExtractForm>) => {
    setForm((f) => ({ ...f, ...patch }))
    setErrors({})
  }
  const submit = () => {
    const found = extractFormErrors(form, models)
    setErrors(found)
    if (Object.keys(found).length > 0) return
    extract.mutate(extractRequest(form), {
      onSuccess: ({ job, collection }) => {
        toast.success(`Extracting into ${collection.name} (job #${job.id})`)
        onStarted({ jobId: job.id, collectionId: collection.id })
      },
      onError: (error) => setErrors(refusal(error)),
    })
  }
  return { form, edit, errors, submit, starting: extract.isPending }
}
