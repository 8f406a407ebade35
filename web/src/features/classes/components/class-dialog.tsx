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

interface ClassDraft {
  name: string
  displayName: string
  /** null: "automatic", the server gives a new class a colour no class has yet. */
  color: string | null
  category: string
  description: string
  aliases: string
}

type SetField = <K extends keyof ClassDraft>(key: K) => (value: ClassDraft[K]) => void
type FieldErrors = Record<string, string>

function draftOf(existing: OdClass | null): ClassDraft {
  return {
    name: existing?.name ?? '',
    displayName: existing?.display_name ?? '',
    color: existing?.color ?? null,
    category: existing?.category ?? '',
    description: existing?.description ?? '',
    aliases: (existing?.aliases ?? []).join(', '),
  }
}

/** Create or update from the draft; field errors from the server land on their fields. */
function useSaveClass(existing: OdClass | null, onClose: () => void) {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({})
  const create = useCreateClass()
  const update = useUpdateClass()
  const onError = (error: unknown) => {
    if (isApiError(error) && error.body?.fields) {
      setFieldErrors(Object.fromEntries(error.body.fields.map((f) => [f.field.replace(/^body\./, ''), f.message])))
    } else if (isApiError(error) && error.status === 409 && typeof error.body?.field === 'string') {
      setFieldErrors({ [error.body.field]: error.detail })
    }
    toast.error(errorMessage(error))
  }
  const save = (draft: ClassDraft) => {
    setFieldErrors({})
    const body = {
      name: draft.name.trim(),
      display_name: draft.displayName.trim(),
      color: draft.color ?? undefined,
      category: draft.category.trim() || null,
      description: draft.description.trim(),
    }
    if (!existing) {
      const onSuccess = (saved: OdClass) => {
        toast.success(`Created class ${saved.name}`)
        onClose()
      }
      create.mutate({ ...body, aliases: splitAliases(draft.aliases) }, { onSuccess, onError })
      return
    }
    // Keep the aliases the person typed; the server adds the old name on a rename.
    const typed = splitAliases(draft.aliases)
    const renaming = body.name !== '' && body.name !== existing.name
    update.mutate(
      { id: existing.id, body: { ...body, aliases: typed.join('\n') === existing.aliases.join('\n') ? undefined : typed } },
      {
        onSuccess: (saved) => {
          toast.success(renaming ? `Renamed ${existing.name} to ${saved.name}; “${existing.name}” is now an alias` : `Saved ${saved.name}`)
          onClose()
        },
        onError,
      },
    )
  }
  return { save, fieldErrors, pending: create.isPending || update.isPending }
}

function NameFields({ draft, set, fieldErrors }: { draft: ClassDraft; set: SetField; fieldErrors: FieldErrors }) {
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="class-name">Name</Label>
        <Input id="class-name" autoFocus required value={draft.name} onChange={(e) => set('name')(e.target.value)} aria-invalid={fieldErrors.name ? true : undefined} />
        {fieldErrors.name ? <p className="text-xs text-destructive">{fieldErrors.name}</p> : null}
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="class-display">Display name</Label>
        <Input id="class-display" placeholder="Optional" value={draft.displayName} onChange={(e) => set('displayName')(e.target.value)} />
      </div>
    </div>
  )
}

function RenameNote({ oldName }: { oldName: string }) {
  return (
    <p className="flex items-start gap-2 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-800" data-testid="rename-note">
      <InfoIcon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>
        Renaming: the old name <strong>{oldName}</strong> becomes an alias, so imports and models that use it still map to this class.
      </span>
    </p>
  )
}

function DetailFields({ draft, set, fieldErrors, categories, isNew }: { draft: ClassDraft; set: SetField; fieldErrors: FieldErrors; categories: ClassCategory[]; isNew: boolean }) {
  return (
    <>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="class-color">Colour</Label>
        <ColorField id="class-color" value={draft.color} onChange={set('color')} onAuto={isNew ? () => set('color')(null) : undefined} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="class-category">Category</Label>
        <Input id="class-category" list="class-categories" placeholder="e.g. beverages" value={draft.category} onChange={(e) => set('category')(e.target.value)} />
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
          value={draft.aliases}
          onChange={(e) => set('aliases')(e.target.value)}
          aria-invalid={fieldErrors.aliases ? true : undefined}
        />
        {fieldErrors.aliases ? <p className="text-xs text-destructive">{fieldErrors.aliases}</p> : null}
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="class-description">Description</Label>
        <Textarea id="class-description" rows={2} value={draft.description} onChange={(e) => set('description')(e.target.value)} />
      </div>
    </>
  )
}

/** Create a class, or edit one (`existing`). A new name is a rename: the old name becomes an alias. */
export function ClassDialog({ existing, categories, onClose }: { existing: OdClass | null; categories: ClassCategory[]; onClose: () => void }) {
  const [draft, setDraft] = useState<ClassDraft>(() => draftOf(existing))
  const set: SetField = (key) => (value) => setDraft((d) => ({ ...d, [key]: value }))
  const { save, fieldErrors, pending } = useSaveClass(existing, onClose)
  const renaming = existing !== null && draft.name.trim() !== '' && draft.name.trim() !== existing.name
  const submit = (event: FormEvent) => {
    event.preventDefault()
    save(draft)
  }

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-lg" data-testid="class-dialog">
        <form onSubmit={submit} className="flex flex-col gap-4">
          <DialogHeader>
            <DialogTitle>{existing ? `Edit ${existing.name}` : 'New class'}</DialogTitle>
            <DialogDescription>Classes are shared by every dataset. Names are unique regardless of case, aliases included.</DialogDescription>
          </DialogHeader>
          <NameFields draft={draft} set={set} fieldErrors={fieldErrors} />
          {renaming ? <RenameNote oldName={existing.name} /> : null}
          <DetailFields draft={draft} set={set} fieldErrors={fieldErrors} categories={categories} isNew={existing === null} />
          <DialogFooter>
            <Button variant="outline" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending || draft.name.trim() === ''} data-testid="save-class">
              {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              {existing ? 'Save' : 'Create class'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
