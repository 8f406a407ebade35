import { useState } from 'react'
import { CheckCircle2Icon, ScaleIcon } from 'lucide-react'
import { ErrorState, LoadingState } from '@/components/states'
import { Checkbox } from '@/components/ui/checkbox'
import { Label } from '@/components/ui/label'
import { Segmented } from '@/components/ui/segmented'
import { useSession } from '@/features/auth'
import type { Architecture } from '@/lib/api'
import { cn } from '@/lib/utils'
import { defaultSize, FAMILY_SUMMARIES, groupByFamily, type FamilyGroup } from '../hooks/architectures'
import type { Wizard } from '../hooks/wizard'
import { editDraft } from '../hooks/wizard-form'
import { FieldError } from './form-field'
import { FineTuneSelect } from './fine-tune-select'
import { TrainerEnvPanel } from './trainer-env'

function SizeCard({ arch, chosen, onPick }: { arch: Architecture; chosen: boolean; onPick: () => void }) {
  return (
    <button
      type="button"
      role="radio"
      aria-checked={chosen}
      disabled={!arch.available}
      onClick={onPick}
      title={arch.unavailable_reason ?? undefined}
      data-testid={`arch-${arch.key}`}
      className={cn(
        'flex flex-col gap-0.5 rounded-md border p-3 text-left text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring/40 disabled:opacity-50',
        chosen && 'border-primary ring-1 ring-primary',
      )}
    >
      <span className="flex items-center justify-between gap-2 font-medium">
        {arch.title}
        {chosen ? <CheckCircle2Icon className="size-4 text-primary" aria-hidden /> : null}
      </span>
      <span className="text-xs text-muted-foreground">
        {arch.params_m} M params · {arch.default_image_size} px · multiple of {arch.size_multiple}
      </span>
    </button>
  )
}

function LicenceNote({ arch }: { arch: Architecture }) {
  const nonCommercial = /non-commercial/i.test(arch.weights_licence)
  return (
    <p className={cn('flex items-start gap-2 text-xs', nonCommercial ? 'text-amber-700' : 'text-muted-foreground')} data-testid="weights-licence">
      <ScaleIcon className="mt-0.5 size-3.5 shrink-0" aria-hidden />
      <span>
        Pretrained weights: {arch.weights_licence}.{arch.note ? ` ${arch.note}` : ''}
        {nonCommercial && !arch.note ? ' Training from scratch (the default here) or from your own weights avoids that licence.' : ''}
      </span>
    </p>
  )
}

function WeightsChoice({ wizard, arch }: { wizard: Wizard; arch: Architecture }) {
  const { config } = wizard.state
  return (
    <div className="flex flex-col gap-3 rounded-md border p-3">
      <div className="flex items-center gap-2">
        <Checkbox
          id="wizard-pretrained"
          checked={config.pretrained}
          disabled={config.init_model_id !== null}
          onCheckedChange={(v) => wizard.setConfig(editDraft(config, 'pretrained', v === true), ['pretrained'])}
          data-testid="wizard-pretrained"
        />
        <Label htmlFor="wizard-pretrained">Start from pretrained (COCO) weights</Label>
      </div>
      <LicenceNote arch={arch} />
      <FieldError errors={wizard.errors} field="config.pretrained" />
      <FineTuneSelect wizard={wizard} architecture={arch.key} />
    </div>
  )
}

function FamilyPicker({ groups, family, onFamily }: { groups: FamilyGroup[]; family: string; onFamily: (f: string) => void }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Segmented label="Architecture family" value={family} options={groups.map((g) => ({ value: g.family, label: g.title }))} onChange={onFamily} testId="wizard-family" />
      <p className="text-xs text-muted-foreground">{FAMILY_SUMMARIES[family] ?? ''}</p>
    </div>
  )
}

/** Step 2: the architecture family and size, whether its environment is installed, and where weights start. */
export function StepArchitecture({ wizard }: { wizard: Wizard }) {
  const { architectures, arch } = wizard
  const [family, setFamily] = useState<string | null>(null)
  const isAdmin = useSession().data?.user.role === 'admin'
  if (architectures.isPending) return <LoadingState label="Loading architectures…" />
  if (architectures.isError) return <ErrorState error={architectures.error} onRetry={() => void architectures.refetch()} />
  const groups = groupByFamily(architectures.data)
  const current = family ?? arch?.family ?? groups[0]?.family ?? ''
  const group = groups.find((g) => g.family === current)
  const onFamily = (f: string) => {
    setFamily(f)
    const size = groups.find((g) => g.family === f)
    const pick = size ? defaultSize(size) : null
    if (pick) wizard.setArchitecture(pick.key)
  }
  const reason = group?.architectures.find((a) => !a.available)?.unavailable_reason ?? null
  return (
    <div className="flex flex-col gap-4">
      <FamilyPicker groups={groups} family={current} onFamily={onFamily} />
      {group && !group.available ? <TrainerEnvPanel family={group.family} title={group.title} reason={reason} canInstall={isAdmin} /> : null}
      <div role="radiogroup" aria-label="Model size" className="grid gap-2 sm:grid-cols-2 lg:grid-cols-4">
        {group?.architectures.map((a) => (
          <SizeCard key={a.key} arch={a} chosen={wizard.state.architecture === a.key} onPick={() => wizard.setArchitecture(a.key)} />
        ))}
      </div>
      <FieldError errors={wizard.errors} field="architecture" />
      {arch && arch.family === current ? (
        <WeightsChoice wizard={wizard} arch={arch} />
      ) : group?.architectures[0] ? (
        <LicenceNote arch={group.architectures[0]} />
      ) : null}
    </div>
  )
}
