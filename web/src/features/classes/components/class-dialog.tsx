import { useState, type FormEvent } from 'react'
import { InfoIcon, Loader2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { errorMessage, isApiError, type ClassCategory, type OdClass } from '@/lib/api'
import { useCreateClass, useUpdateClass } from '../hooks/classes'
import { ColorField } from './color-field'

function splitAliases(raw: string): string[] {
  return raw
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
}

/** Create a class, or edit one (`existing`). A new name is a rename: the old name becomes an alias. */
export function ClassDialog({
  existing,
  categories,
  onClose,
}: {
  existing: OdClass | null
  categories: ClassCategory[]
  onClose: () => void
}) {
  const [name, setName] = useState(existing?.name ?? '')
  const [displayName, setDisplayName] = useState(existing?.display_name ?? '')
  // A new class starts on "automatic": the server gives it a colour no class has yet.
  const [color, setColor] = useState<string | null>(existing?.color ?? null)
  const [category, setCategory] = useState(existing?.category ?? '')
  const [description, setDescription] = useState(existing?.description ?? '')
  const [aliases, setAliases] = useState((existing?.aliases ?? []).join(', '))
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const create = useCreateClass()
  const update = useUpdateClass()
  const pending = create.isPending || update.isPending
  const renaming = existing !== null && name.trim() !== '' && name.trim() !== existing.name

  const onError = (error: unknown) => {
    if (isApiError(error) && error.body?.fields) {
      setFieldErrors(Object.fromEntries(error.body.fields.map((f) => [f.field.replace(/^body\./, ''), f.message])))
    } else if (isApiError(error) && error.status === 409 && typeof error.body?.field === 'string') {
      setFieldErrors({ [error.body.field]: error.detail })
    }
    toast.error(errorMessage(error))
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setFieldErrors({})
    const body = {
      name: name.trim(),
      display_name: displayName.trim(),
      color: color ?? undefined,
      category: category.trim() || null,
      description: description.trim(),
    }
    if (existing) {
      // Keep the aliases the person typed; the server adds the old name on a rename.
      const typed = splitAliases(aliases)
      update.mutate(
        {
          id: existing.id,
          body: { ...body, aliases: typed.join('\n') === existing.aliases.join('\n') ? undefined : typed },
        },
        {
          onSuccess: (saved) => {
            toast.success(
              renaming ? `Renamed ${existing.name} to ${saved.name}; “${existing.name}” is now an alias` : `Saved ${saved.name}`,
            )
            onClose()
          },
          onError,
        },
      )
    } else {
      create.mutate(
        { ...body, aliases: splitAliases(aliases) },
        {
          onSuccess: (saved) => {
            toast.success(`Created class ${saved.name}`)
            onClose()
          },
          onError,
        },
      )
    }
  }

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-lg" data-testid="class-dialog">
        <form onSubmit={submit} className="flex flex-col gap-4">
          <DialogHeader>
            <DialogTitle>{existing ? `Edit ${existing.name}` : 'New class'}</DialogTitle>
            <DialogDescription>
              Classes are shared by every dataset. Names are unique regardless of case, aliases included.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="class-name">Name</Label>
              <Input
                id="class-name"
                autoFocus
                required
                value={name}
                onChange={(e) => setName(e.target.value)}
                aria-invalid={fieldErrors.name ? true : undefined}
              />
              {fieldErrors.name ? <p className="text-xs text-destructive">{fieldErrors.name}</p> : null}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="class-display">Display name</Label>
              <Input
                id="class-display"
                placeholder="Optional"
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
              />
            </div>
          </div>
          {renaming ? (
            <p className="flex items-start gap-2 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-800" data-testid="rename-note">
              <InfoIcon className="mt-0.5 size-4 shrink-0" aria-hidden />
              <span>
                Renaming: the old name <strong>{existing.name}</strong> becomes an alias, so imports and models that use
                it still map to this class.
              </span>
            </p>
          ) : null}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="class-color">Colour</Label>
            <ColorField id="class-color" value={color} onChange={setColor} onAuto={existing ? undefined : () => setColor(null)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="class-category">Category</Label>
            <Input
              id="class-category"
              list="class-categories"
              placeholder="e.g. beverages"
              value={category}
              onChange={(e) => setCategory(e.target.value)}
            />
            <datalist id="class-categories">
              {categories.map((c) => (
                <option key={c.category} value={c.category} />
              ))}
            </datalist>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="class-aliases">Aliases</Label>
            <Input
              id="class-aliases"
              placeholder="comma-separated"
              value={aliases}
              onChange={(e) => setAliases(e.target.value)}
              aria-invalid={fieldErrors.aliases ? true : undefined}
            />
            {fieldErrors.aliases ? <p className="text-xs text-destructive">{fieldErrors.aliases}</p> : null}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="class-description">Description</Label>
            <Textarea id="class-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <DialogFooter>
            <Button variant="outline" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending || name.trim() === ''} data-testid="save-class">
              {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              {existing ? 'Save' : 'Create class'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
