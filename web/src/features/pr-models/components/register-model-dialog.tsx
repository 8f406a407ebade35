import { useState, type FormEvent } from 'react'
import { Loader2Icon } from 'lucide-react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Textarea } from '@/components/ui/textarea'
import { apiFieldErrors, FieldError, FormField, type FieldErrors } from '@/features/training'
import { useRegisterModel } from '../hooks/queries'

interface RegisterProps {
  checkpoint: { id: number; epoch: number }
  runName: string
  open: boolean
  onOpenChange: (open: boolean) => void
}

/** Promote a checkpoint to a registered model (a name unique in any case, a description); opens the model. */
export function RegisterModelDialog({ checkpoint, runName, open, onOpenChange }: RegisterProps) {
  const [name, setName] = useState(`${runName} · epoch ${checkpoint.epoch}`)
  const [description, setDescription] = useState('')
  const [errors, setErrors] = useState<FieldErrors>({})
  const register = useRegisterModel()
  const navigate = useNavigate()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (name.trim() === '') return setErrors({ name: 'Give the model a name.' })
    register.mutate(
      { checkpoint_id: checkpoint.id, name: name.trim(), description: description.trim() },
      {
        onSuccess: (model) => {
          toast.success(model.status === 'evaluating' ? `Registered “${model.name}”; its test metrics are being computed` : `Registered “${model.name}”`)
          onOpenChange(false)
          void navigate(`/models/${model.id}`)
        },
        onError: (error) => setErrors(apiFieldErrors(error)),
      },
    )
  }
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="register-model-dialog">
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Register epoch {checkpoint.epoch} as a model</DialogTitle>
            <DialogDescription>The model keeps its own copy of the weights, its test metrics, backbone and preprocessing; extraction can then use it.</DialogDescription>
          </DialogHeader>
          <FormField id="register-name" label="Name" field="name" errors={errors}>
            <Input id="register-name" value={name} onChange={(e) => { setName(e.target.value); setErrors({}) }} data-testid="register-name" />
          </FormField>
          <FormField id="register-description" label="Description" field="description" errors={errors}>
            <Textarea id="register-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="register-description" />
          </FormField>
          <FieldError errors={errors} field="" />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={register.isPending}>
              Cancel
            </Button>
            <Button type="submit" disabled={register.isPending} data-testid="register-confirm">
              {register.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Register model
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
