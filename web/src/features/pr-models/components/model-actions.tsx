import { useState, type FormEvent } from 'react'
import { Loader2Icon, PencilIcon, Trash2Icon } from 'lucide-react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Textarea } from '@/components/ui/textarea'
import { apiFieldErrors, FieldError, FormField, type FieldErrors } from '@/features/training'
import { errorMessage, type PrModel } from '@/lib/api'
import { useDeleteModel, useUpdateModel } from '../hooks/queries'

function EditModel({ model }: { model: PrModel }) {
  const [open, setOpen] = useState(false)
  const [name, setName] = useState(model.name)
  const [description, setDescription] = useState(model.description)
  const [errors, setErrors] = useState<FieldErrors>({})
  const update = useUpdateModel(model.id)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (name.trim() === '') return setErrors({ name: 'Give the model a name.' })
    update.mutate(
      { name: name.trim(), description: description.trim() },
      { onSuccess: () => { toast.success('Saved'); setOpen(false) }, onError: (e) => setErrors(apiFieldErrors(e)) },
    )
  }
  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (next) { setName(model.name); setDescription(model.description); setErrors({}) } }}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline" data-testid="edit-pr-model"><PencilIcon aria-hidden /> Edit</Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <DialogHeader><DialogTitle>Edit {model.name}</DialogTitle></DialogHeader>
          <FormField id="edit-model-name" label="Name" field="name" errors={errors}>
            <Input id="edit-model-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="edit-model-name" />
          </FormField>
          <FormField id="edit-model-description" label="Description" field="description" errors={errors}>
            <Textarea id="edit-model-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
          </FormField>
          <FieldError errors={errors} field="" />
          <DialogFooter>
            <Button type="submit" disabled={update.isPending} data-testid="save-pr-model">
              {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null} Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

function DeleteModel({ model }: { model: PrModel }) {
  const remove = useDeleteModel()
  const navigate = useNavigate()
  const confirm = () =>
    remove.mutate(model.id, {
      onSuccess: () => { toast.success(`Deleted ${model.name}`); void navigate('/models') },
      onError: (e) => toast.error(errorMessage(e)),
    })
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button size="sm" variant="outline" disabled={remove.isPending} data-testid="delete-pr-model"><Trash2Icon aria-hidden /> Delete</Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete {model.name}?</AlertDialogTitle>
          <AlertDialogDescription>Its copy of the weights is removed. The run and its checkpoints stay.</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep it</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={confirm} data-testid="confirm-delete-pr-model">Delete model</AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}

/** Rename or describe a model; delete it. */
export function ModelActions({ model }: { model: PrModel }) {
  return (
    <>
      <EditModel model={model} />
      <DeleteModel model={model} />
    </>
  )
}
