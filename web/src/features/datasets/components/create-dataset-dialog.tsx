import { useState, type FormEvent } from 'react'
import { Loader2Icon, PentagonIcon, SquareDashedIcon } from 'lucide-react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { errorMessage, isApiError, type AnnotationType } from '@/lib/api'
import { cn } from '@/lib/utils'
import { useCreateDataset } from '../hooks/datasets'

const TYPES: { value: AnnotationType; label: string; hint: string; icon: typeof SquareDashedIcon }[] = [
  { value: 'bbox', label: 'Bounding boxes', hint: 'Rectangles around each product', icon: SquareDashedIcon },
  { value: 'polygon', label: 'Polygons', hint: 'Outlines for irregular shapes', icon: PentagonIcon },
]

/** Boxes or polygons: what the dataset's annotations are (the editor opens with that tool). */
function AnnotationTypeChoice({ value, onChange }: { value: AnnotationType; onChange: (type: AnnotationType) => void }) {
  return (
    <fieldset className="flex flex-col gap-1.5">
      <legend className="mb-1.5 text-sm font-medium">Annotation type</legend>
      <div className="grid gap-2 sm:grid-cols-2" role="radiogroup">
        {TYPES.map((t) => (
          <label
            key={t.value}
            className={cn(
              'flex cursor-pointer items-start gap-3 rounded-md border p-3 text-sm',
              value === t.value && 'border-primary bg-primary/5',
            )}
          >
            <input
              type="radio"
              name="annotation-type"
              value={t.value}
              checked={value === t.value}
              onChange={() => onChange(t.value)}
              className="sr-only"
            />
            <t.icon className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
            <span className="flex flex-col">
              <span className="font-medium">{t.label}</span>
              <span className="text-xs text-muted-foreground">{t.hint}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  )
}

export function CreateDatasetDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [type, setType] = useState<AnnotationType>('bbox')
  const [nameError, setNameError] = useState<string | null>(null)
  const create = useCreateDataset()
  const navigate = useNavigate()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setNameError(null)
    create.mutate(
      { name: name.trim(), description: description.trim(), annotation_type: type },
      {
        onSuccess: (dataset) => {
          toast.success(`Created dataset ${dataset.name}`)
          onOpenChange(false)
          setName('')
          setDescription('')
          void navigate(`/od/datasets/${dataset.id}`)
        },
        onError: (error) => {
          if (isApiError(error) && (error.status === 409 || error.fieldMessage('name'))) {
            setNameError(error.fieldMessage('name') ?? error.detail)
          }
          toast.error(errorMessage(error))
        },
      },
    )
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="create-dataset-dialog">
        <form onSubmit={submit} className="flex flex-col gap-4">
          <DialogHeader>
            <DialogTitle>New dataset</DialogTitle>
            <DialogDescription>A set of library images to label together. Images stay in the library.</DialogDescription>
          </DialogHeader>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="dataset-name">Name</Label>
            <Input
              id="dataset-name"
              autoFocus
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={nameError ? true : undefined}
            />
            {nameError ? <p className="text-xs text-destructive">{nameError}</p> : null}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="dataset-description">Description</Label>
            <Textarea
              id="dataset-description"
              rows={3}
              placeholder="Optional: what is in it and what it is for"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <AnnotationTypeChoice value={type} onChange={setType} />
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending || name.trim() === ''} data-testid="create-dataset">
              {create.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Create dataset
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
