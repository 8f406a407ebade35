import { useState } from 'react'
import { DownloadIcon, Loader2Icon, PencilIcon, StarIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { errorMessage, isApiError, type TrainedModel } from '@/lib/api'
import { modelsApi } from '../api'
import { useSetDefaultModel, useUpdateModel } from '../hooks/queries'

function EditDialog({ model, onClose }: { model: TrainedModel; onClose: () => void }) {
  const update = useUpdateModel(model.id)
  const [name, setName] = useState(model.name)
  const [description, setDescription] = useState(model.description)
  const save = () =>
    update.mutate(
      { name: name.trim(), description },
      { onSuccess: () => (toast.success('Model saved'), onClose()), onError: (e) => toast.error(errorMessage(e)) },
    )
  const nameError = isApiError(update.error) ? update.error.fieldMessage('name') : undefined
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Rename model</DialogTitle>
        </DialogHeader>
        <div className="flex flex-col gap-3">
          <Label htmlFor="model-name">Name</Label>
          <Input id="model-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="model-name-input" />
          {nameError ? <p className="text-xs text-destructive">{nameError}</p> : null}
          <Label htmlFor="model-description">Description</Label>
          <Textarea id="model-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <DialogFooter>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={save} disabled={update.isPending || name.trim() === ''} data-testid="save-model">
            {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null} Save
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}

/** Set as default, activate or deactivate, rename, download the weights. */
export function ModelActions({ model, canEdit }: { model: TrainedModel; canEdit: boolean }) {
  const [editing, setEditing] = useState(false)
  const setDefault = useSetDefaultModel()
  const update = useUpdateModel(model.id)
  const makeDefault = () =>
    setDefault.mutate(model.id, { onSuccess: () => toast.success(`${model.name} is now the default for auto-annotation`), onError: (e) => toast.error(errorMessage(e)) })
  const toggleActive = () =>
    update.mutate({ is_active: !model.is_active }, { onSuccess: (m) => toast.success(m.is_active ? 'Model activated' : 'Model deactivated'), onError: (e) => toast.error(errorMessage(e)) })
  return (
    <>
      {canEdit && !model.is_default ? (
        <Button size="sm" variant="outline" onClick={makeDefault} disabled={setDefault.isPending || !model.is_active} title={model.is_active ? undefined : 'Activate it first'} data-testid="set-default">
          <StarIcon aria-hidden /> Set as default
        </Button>
      ) : null}
      {canEdit ? (
        <Button size="sm" variant="outline" onClick={toggleActive} disabled={update.isPending || (model.is_default && model.is_active)} data-testid="toggle-active">
          {model.is_active ? 'Deactivate' : 'Activate'}
        </Button>
      ) : null}
      {canEdit ? (
        <Button size="sm" variant="outline" onClick={() => setEditing(true)} data-testid="rename-model">
          <PencilIcon aria-hidden /> Rename
        </Button>
      ) : null}
      <Button size="sm" asChild>
        <a href={modelsApi.downloadUrl(model.id)} download data-testid="download-model">
          <DownloadIcon aria-hidden /> Download
        </a>
      </Button>
      {editing ? <EditDialog model={model} onClose={() => setEditing(false)} /> : null}
    </>
  )
}
