/** The wizard's state machine: current step, the draft, errors from the checks and from the API, and start. */
import { useCallback, useMemo, useState } from 'react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import type { Architecture } from '@/lib/api'
import { useArchitectures, useStartRun } from './queries'
import {
  apiFieldErrors,
  draftFor,
  firstStepWithError,
  requestBody,
  stepComplete,
  validateConfig,
  withArchitecture,
  type ConfigDraft,
  type FieldErrors,
  type StepIndex,
  type WizardState,
} from './wizard-form'

function initialState(): WizardState {
  return { datasetId: null, versionId: null, architecture: null, name: '', config: draftFor(null) }
}

/** Errors the server gave, dropped field by field as the person edits them. */
function without(errors: FieldErrors, fields: readonly string[]): FieldErrors {
  const out = { ...errors }
  for (const f of fields) delete out[f]
  delete out['']
  return out
}

export function useWizard() {
  const navigate = useNavigate()
  const architectures = useArchitectures()
  const start = useStartRun()
  const [state, setState] = useState<WizardState>(initialState)
  const [step, setStep] = useState<StepIndex>(0)
  const [serverErrors, setServerErrors] = useState<FieldErrors>({})

  const arch: Architecture | null = useMemo(
    () => architectures.data?.find((a) => a.key === state.architecture) ?? null,
    [architectures.data, state.architecture],
  )
  const localErrors = useMemo(() => (step >= 2 ? validateConfig(state.config, arch) : {}), [step, state.config, arch])
  const errors = useMemo(() => ({ ...localErrors, ...serverErrors }), [localErrors, serverErrors])

  const update = useCallback((patch: Partial<WizardState>, fields: readonly string[]) => {
    setState((s) => ({ ...s, ...patch }))
    setServerErrors((e) => without(e, fields))
  }, [])

  const setDataset = (datasetId: number | null) => update({ datasetId, versionId: null }, ['dataset_version_id'])
  const setVersion = (versionId: number) => update({ versionId }, ['dataset_version_id'])
  const setName = (name: string) => update({ name }, ['name'])
  const setConfig = (config: ConfigDraft, fields: readonly string[] = []) =>
    update({ config }, fields.map((f) => `config.${f}`))
  const setArchitecture = (key: string) => {
    const picked = architectures.data?.find((a) => a.key === key)
    if (!picked) return
    update({ architecture: key, config: withArchitecture(state.config, picked) }, ['architecture', 'config.image_size'])
  }

  const canAdvance = stepComplete(step, state, arch)
  const next = () => setStep((s) => (s < 3 && canAdvance ? ((s + 1) as StepIndex) : s))
  const back = () => setStep((s) => (s > 0 ? ((s - 1) as StepIndex) : s))
  const goTo = (target: StepIndex) => setStep((s) => (target <= s ? target : s))

  const submit = () => {
    start.mutate(requestBody(state), {
      onSuccess: ({ run }) => {
        toast.success(`Training run “${run.name}” queued`)
        void navigate(`/od/training/${run.id}`)
      },
      onError: (error) => {
        const fieldErrors = apiFieldErrors(error)
        setServerErrors(fieldErrors)
        setStep(firstStepWithError(fieldErrors) ?? 3)
      },
    })
  }

  return { state, step, arch, architectures, errors, canAdvance, starting: start.isPending, setDataset, setVersion, setName, setConfig, setArchitecture, next, back, goTo, submit }
}

export type Wizard = ReturnType<typeof useWizard>
