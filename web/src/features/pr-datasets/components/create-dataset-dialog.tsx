import { useState, type FormEvent } from 'react'
import { Loader2Icon } from 'lucide-react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import type { PickedProduct } from '@/features/products'
import { errorMessage, isApiError } from '@/lib/api'
import { createBody, DEFAULT_FORM, formErrors, type PrDatasetForm } from '../hooks/logic'
import { useCreatePrDataset } from '../hooks/queries'
import { DatasetFormFields } from './dataset-form-fields'

function serverErrors(error: unknown): Record<string, string> {
  if (!isApiError(error)) return {}
  const out: Record<string, string> = {}
  for (const f of error.body?.fields ?? []) out[f.field.replace(/^body\./, '')] = f.message
  if (typeof error.body?.field === 'string') out[error.body.field] = error.detail
  return out
}

export function CreatePrDatasetDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [form, setForm] = useState<PrDatasetForm>(DEFAULT_FORM)
  const [picked, setPicked] = useState<PickedProduct[]>([])
  const [errors, setErrors] = useState<Record<string, string>>({})
  const create = useCreatePrDataset()
  const navigate = useNavigate()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    const found = formErrors(form)
    setErrors(found)
    if (Object.keys(found).length > 0) return
    create.mutate(createBody(form), {
      onSuccess: (dataset) => {
        toast.success(`Created ${dataset.name}`)
        onOpenChange(false)
        setForm(DEFAULT_FORM)
        setPicked([])
        void navigate(`/datasets/${dataset.id}`)
      },
      onError: (error) => {
        setErrors(serverErrors(error))
        toast.error(errorMessage(error))
      },
    })
  }
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-xl" data-testid="create-pr-dataset-dialog">
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>New product dataset</DialogTitle>
            <DialogDescription>A named set of products and the images of theirs that count, for training and evaluating embeddings.</DialogDescription>
          </DialogHeader>
          <DatasetFormFields form={form} errors={errors} picked={picked} onPicked={setPicked} onChange={(p) => setForm((f) => ({ ...f, ...p }))} />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending} data-testid="create-pr-dataset">
              {create.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Create dataset
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
