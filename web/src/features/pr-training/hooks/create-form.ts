/** The create dialog's state: the draft, the checks' and the API's errors, and start. */
import { useCallback, useMemo, useState } from 'react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import { useBackbones, useStartPrRun } from './queries'
import { dataShortfall, runFormErrors } from './refusals'
import {
  defaultBackbone,
  defaultDraft,
  requestBody,
  sectionOf,
  validateDraft,
  withoutFields,
  type ConfigDraft,
  type FormErrors,
  type RunDraft,
} from './run-form'

export function useCreateRunForm(onStarted: () => void) {
  const navigate = useNavigate()
  const backbones = useBackbones()
  const start = useStartPrRun()
  const [draft, setDraft] = useState<RunDraft>(defaultDraft)
  const [checked, setChecked] = useState(false)
  const [serverErrors, setServerErrors] = useState<FormErrors>({})
  const backbone = draft.backbone ?? defaultBackbone(backbones.data)
  const localErrors = useMemo(() => (checked ? validateDraft(draft, backbone) : {}), [checked, draft, backbone])
  const errors = useMemo(() => ({ ...localErrors, ...serverErrors }), [localErrors, serverErrors])
  const [advancedOpen, setAdvancedOpen] = useState(false)
  const showAdvanced = advancedOpen || Object.keys(errors).some((f) => sectionOf(f) === 'advanced')

  /** Change part of the draft; the API's errors about those fields go. */
  const update = useCallback((patch: Partial<RunDraft>, fields: readonly string[]) => {
    setDraft((d) => ({ ...d, ...patch }))
    setServerErrors((e) => withoutFields(e, fields))
  }, [])
  const setConfig = useCallback(
    <K extends keyof ConfigDraft>(key: K, value: ConfigDraft[K]) => {
      setDraft((d) => ({ ...d, config: { ...d.config, [key]: value } }))
      setServerErrors((e) => withoutFields(e, [`config.${key}`]))
    },
    [],
  )

  const submit = () => {
    setChecked(true)
    const found = validateDraft(draft, backbone)
    if (Object.keys(found).length > 0 || backbone === null) {
      if (Object.keys(found).some((f) => sectionOf(f) === 'advanced')) setAdvancedOpen(true)
      return
    }
    start.mutate(requestBody(draft, backbone), {
      onSuccess: ({ run }) => {
        toast.success(`Training run “${run.name}” queued`)
        onStarted()
        setDraft(defaultDraft())
        setChecked(false)
        void navigate(`/training/${run.id}`)
      },
      onError: (error) => {
        setServerErrors(runFormErrors(error))
        if (!dataShortfall(error)) toast.error('The run was not started: see the form.')
      },
    })
  }

  return {
    draft,
    backbone,
    backbones,
    errors,
    shortfall: dataShortfall(start.error),
    starting: start.isPending,
    showAdvanced,
    toggleAdvanced: () => setAdvancedOpen((o) => !o),
    update,
    setConfig,
    submit,
  }
}

export type CreateRunForm = ReturnType<typeof useCreateRunForm>
