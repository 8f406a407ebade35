import { ArrowLeftIcon, ArrowRightIcon, Loader2Icon, PlayIcon } from 'lucide-react'
import { Link } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { Button } from '@/components/ui/button'
import { Card, CardContent } from '@/components/ui/card'
import { cn } from '@/lib/utils'
import { StepArchitecture } from '../components/step-architecture'
import { StepDataset } from '../components/step-dataset'
import { StepReview } from '../components/step-review'
import { StepSettings } from '../components/step-settings'
import { useWizard, type Wizard } from '../hooks/wizard'
import { STEPS, stepOfField, type StepIndex } from '../hooks/wizard-form'

function Stepper({ wizard }: { wizard: Wizard }) {
  const stepsWithErrors = new Set(Object.keys(wizard.errors).map(stepOfField))
  return (
    <ol className="mb-4 flex flex-wrap gap-2" aria-label="Steps">
      {STEPS.map((title, i) => (
        <li key={title}>
          <button
            type="button"
            onClick={() => wizard.goTo(i as StepIndex)}
            disabled={i > wizard.step}
            aria-current={i === wizard.step ? 'step' : undefined}
            data-testid={`wizard-step-${i + 1}`}
            className={cn(
              'flex items-center gap-2 rounded-full border px-3 py-1 text-sm disabled:cursor-default',
              i === wizard.step ? 'border-primary bg-primary/10 text-primary' : 'text-muted-foreground',
              stepsWithErrors.has(i as StepIndex) && i <= wizard.step && 'border-destructive text-destructive',
            )}
          >
            <span className="tabular-nums">{i + 1}</span> {title}
          </button>
        </li>
      ))}
    </ol>
  )
}

function StepBody({ wizard }: { wizard: Wizard }) {
  switch (wizard.step) {
    case 0:
      return <StepDataset wizard={wizard} />
    case 1:
      return <StepArchitecture wizard={wizard} />
    case 2:
      return <StepSettings wizard={wizard} />
    case 3:
      return <StepReview wizard={wizard} />
  }
}

function Footer({ wizard }: { wizard: Wizard }) {
  return (
    <div className="mt-4 flex items-center justify-between">
      <Button variant="outline" onClick={wizard.back} disabled={wizard.step === 0}>
        <ArrowLeftIcon aria-hidden /> Back
      </Button>
      {wizard.step < 3 ? (
        <Button onClick={wizard.next} disabled={!wizard.canAdvance} data-testid="wizard-next">
          Next <ArrowRightIcon aria-hidden />
        </Button>
      ) : (
        <Button onClick={wizard.submit} disabled={wizard.starting} data-testid="wizard-start">
          {wizard.starting ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlayIcon aria-hidden />}
          Start training
        </Button>
      )}
    </div>
  )
}

/** The four-step wizard: dataset version → model → settings → review and start. */
export function NewTrainingPage() {
  const wizard = useWizard()
  return (
    <div className="max-w-5xl">
      <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
        <Link to="/od/training">
          <ArrowLeftIcon aria-hidden /> All runs
        </Link>
      </Button>
      <PageHeader eyebrow="Object detection · Training" title="New training run" description="Train a detector on a frozen dataset version." />
      <Stepper wizard={wizard} />
      <Card>
        <CardContent className="pt-6" data-testid={`wizard-body-${wizard.step + 1}`}>
          <StepBody wizard={wizard} />
        </CardContent>
      </Card>
      <Footer wizard={wizard} />
    </div>
  )
}
