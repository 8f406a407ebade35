import type * as React from 'react'
import { Loader2Icon, PlayIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { useCreateRunForm } from '../hooks/create-form'
import { sectionOf, type FormErrors } from '../hooks/run-form'
import { DataFields } from './data-fields'
import { AdvancedSection, MethodFields } from './method-fields'
import { ModelFields } from './model-fields'

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="flex flex-col gap-3 border-t pt-4 first:border-t-0 first:pt-0">
      <h3 className="text-sm font-semibold">{title}</h3>
      {children}
    </section>
  )
}

/** Refusals the sections do not show: one naming no field, or a field no input stands for. */
function OtherErrors({ errors }: { errors: FormErrors }) {
  const rest = Object.entries(errors).filter(([field]) => sectionOf(field) === 'form')
  if (rest.length === 0) return null
  return (
    <ul role="alert" className="flex flex-col gap-1 text-sm text-destructive" data-testid="pr-run-other-errors">
      {rest.map(([field, message]) => (
        <li key={field}>{field ? `${field}: ${message}` : message}</li>
      ))}
    </ul>
  )
}

/** New embedding run: backbone, data, method (the rest collapsed under Advanced); checked before sending. */
export function CreateRunDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const form = useCreateRunForm(() => onOpenChange(false))
  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault()
    form.submit()
  }
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-3xl" data-testid="create-pr-run-dialog">
        <form onSubmit={onSubmit} className="flex flex-col gap-5" noValidate>
          <DialogHeader>
            <DialogTitle>New embedding training run</DialogTitle>
            <DialogDescription>
              Fine-tune a DINO backbone into a product embedding with metric learning. The image list and its split are frozen when the run is created.
            </DialogDescription>
          </DialogHeader>
          <Section title="Model">
            <ModelFields form={form} />
          </Section>
          <Section title="Data">
            <DataFields form={form} />
          </Section>
          <Section title="Training">
            <MethodFields form={form} />
            <AdvancedSection form={form} />
          </Section>
          <OtherErrors errors={form.errors} />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={form.starting}>
              Cancel
            </Button>
            <Button type="submit" disabled={form.starting} data-testid="start-pr-run">
              {form.starting ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlayIcon aria-hidden />}
              Start training
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
