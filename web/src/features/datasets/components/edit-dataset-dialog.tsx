import { useState, type FormEvent } from 'react'
import { Loader2Icon, PencilIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { errorMessage, isApiError, type Dataset } from '@/lib/api'
import { useUpdateDataset } from '../hooks/datasets'

/** Rename a dataset or change its description (annotation type is fixed once boxes exist). */
export function EditDatasetButton({ dataset }: { dataset: Dataset }) {
  const [open, setOpen] = useState(false)
  const [name, setName] = useState(dataset.name)
  const [description, setDescription] = useState(dataset.description)
  const [nameError, setNameError] = useState<string | null>(null)
  const update = useUpdateDataset(dataset.id)

  const openDialog = () => {
    setName(dataset.name)
    setDescription(dataset.description)
    setNameError(null)
    setOpen(true)
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setNameError(null)
    update.mutate(
      { name: name.trim(), description: description.trim() },
      {
        onSuccess: (saved) => {
          toast.success(`Saved dataset ${saved.name}`)
          setOpen(false)
        },
        onError: (error) => {
          if (isApiError(error)) setNameError(error.fieldMessage('name') ?? null)
          toast.error(errorMessage(error))
        },
      },
    )
  }

  return (
    <>
      <Button variant="outline" onClick={openDialog} data-testid="edit-dataset">
        <PencilIcon aria-hidden /> Edit
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent data-testid="edit-dataset-dialog">
          <form onSubmit={submit} className="flex flex-col gap-4">
            <DialogHeader>
              <DialogTitle>Edit dataset</DialogTitle>
              <DialogDescription>Renaming changes nothing in its images, annotations or versions.</DialogDescription>
            </DialogHeader>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="edit-dataset-name">Name</Label>
              <Input
                id="edit-dataset-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                aria-invalid={nameError !== null}
                required
                maxLength={255}
              />
              {nameError ? <p className="text-sm text-destructive">{nameError}</p> : null}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="edit-dataset-description">Description</Label>
              <Textarea
                id="edit-dataset-description"
                value={description}
                onChange={(e) => setDescription(e.target.value)}
                rows={3}
              />
            </div>
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => setOpen(false)} disabled={update.isPending}>
                Cancel
              </Button>
              <Button type="submit" disabled={update.isPending || name.trim() === ''}>
                {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
                Save
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </>
  )
}
