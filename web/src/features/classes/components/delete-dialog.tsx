import { useState, type ReactNode } from 'react'
import { Loader2Icon, Trash2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { errorMessage, type ClassDeleteOptions, type ClassDeletePreview, type ClassDeleteResult, type OdClass } from '@/lib/api'
import { formatCount, countOf } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useDeleteClass, useDeletePreview } from '../hooks/classes'
import { ColorSwatch } from './color-field'

type Choice = 'refuse' | 'delete' | 'reassign'

function Option({
  value,
  current,
  onSelect,
  title,
  children,
}: {
  value: Choice
  current: Choice
  onSelect: (c: Choice) => void
  title: string
  children?: ReactNode
}) {
  return (
    <label
      className={cn(
        'flex cursor-pointer items-start gap-3 rounded-md border px-3 py-2.5 text-sm',
        current === value && 'border-primary bg-primary/5',
      )}
    >
      <input
        type="radio"
        name="delete-option"
        value={value}
        checked={current === value}
        onChange={() => onSelect(value)}
        className="mt-0.5 accent-[var(--primary)]"
      />
      <span className="flex flex-1 flex-col gap-1">
        <span className="font-medium">{title}</span>
        {children}
      </span>
    </label>
  )
}

/** How many annotations, images and datasets use the class, per dataset. */
function UsageSummary({ preview }: { preview: ClassDeletePreview }) {
  return (
    <>
      <p className="text-sm" data-testid="delete-preview">
        {preview.annotations > 0 ? (
          <>
            Used by <strong>{formatCount(preview.annotations)}</strong> annotations on{' '}
            <strong>{formatCount(preview.images)}</strong> images in{' '}
            <strong>{formatCount(preview.datasets.length)}</strong> dataset
            {preview.datasets.length === 1 ? '' : 's'}.
          </>
        ) : (
          'No annotation uses this class; deleting it changes no dataset.'
        )}
      </p>
      {preview.datasets.length > 0 ? (
        <ul className="list-disc pl-5 text-sm text-muted-foreground">
          {preview.datasets.map((d) => (
            <li key={d.dataset_id}>
              {d.dataset_name}: {countOf(d.annotations, 'annotation')} on {countOf(d.images, 'image')}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  )
}

/** What happens to the class's annotations: refuse, delete them, or reassign them to another class. */
function AnnotationChoices({
  choice,
  onChoice,
  reassignTo,
  onReassignTo,
  others,
  annotations,
}: {
  choice: Choice
  onChoice: (choice: Choice) => void
  reassignTo: string
  onReassignTo: (id: string) => void
  others: OdClass[]
  annotations: number
}) {
  return (
    <div className="flex flex-col gap-2" role="radiogroup" aria-label="What happens to its annotations">
      <Option value="refuse" current={choice} onSelect={onChoice} title="Keep the class (do not delete)">
        <span className="text-muted-foreground">Deleting is refused while annotations use it.</span>
      </Option>
      <Option value="delete" current={choice} onSelect={onChoice} title="Delete its annotations too">
        <span className="text-muted-foreground">
          {countOf(annotations, 'annotation')} are removed from their images.
        </span>
      </Option>
      <Option value="reassign" current={choice} onSelect={onChoice} title="Reassign its annotations to another class">
        {choice === 'reassign' ? (
          <Select value={reassignTo} onValueChange={onReassignTo}>
            <SelectTrigger aria-label="Reassign to">
              <SelectValue placeholder="Choose a class" />
            </SelectTrigger>
            <SelectContent>
              {others.map((c) => (
                <SelectItem key={c.id} value={String(c.id)}>
                  {c.name}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        ) : null}
      </Option>
    </div>
  )
}

/** What the server is asked to do with the class's annotations. */
function deleteOptions(inUse: boolean, choice: Choice, reassignTo: string): ClassDeleteOptions {
  if (!inUse || choice === 'refuse') return {}
  return choice === 'delete' ? { annotations: 'delete' } : { reassign_to: Number(reassignTo) }
}

function deletedMessage(result: ClassDeleteResult): string {
  const tail =
    result.annotations_reassigned > 0
      ? `; ${countOf(result.annotations_reassigned, 'annotation')} reassigned`
      : result.annotations_deleted > 0
        ? `; ${countOf(result.annotations_deleted, 'annotation')} deleted`
        : ''
  return `Deleted class ${result.name}${tail}`
}

export function DeleteClassDialog({
  target,
  classes,
  canDelete,
  onClose,
}: {
  target: OdClass
  classes: OdClass[]
  canDelete: boolean
  onClose: () => void
}) {
  const preview = useDeletePreview(target.id)
  const remove = useDeleteClass()
  const [choice, setChoice] = useState<Choice>('refuse')
  const [reassignTo, setReassignTo] = useState('')
  const inUse = (preview.data?.annotations ?? 0) > 0

  const confirm = () => {
    const options = deleteOptions(inUse, choice, reassignTo)
    remove.mutate(
      { id: target.id, options },
      {
        onSuccess: (result) => {
          toast.success(deletedMessage(result))
          onClose()
        },
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  }

  const ready = canDelete && preview.isSuccess && !(inUse && choice === 'refuse') && !(choice === 'reassign' && inUse && !reassignTo)
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent data-testid="delete-class-dialog">
        <DialogHeader>
          <DialogTitle className="flex items-center gap-2">
            <ColorSwatch color={target.color} /> Delete {target.name}?
          </DialogTitle>
          <DialogDescription>The change is recorded in the class history.</DialogDescription>
        </DialogHeader>
        {preview.isPending ? (
          <LoadingState label="Counting annotations…" className="py-4" />
        ) : preview.isError ? (
          <ErrorState error={preview.error} onRetry={() => void preview.refetch()} className="py-4" />
        ) : (
          <div className="flex flex-col gap-3">
            <UsageSummary preview={preview.data} />
            {inUse ? (
              <AnnotationChoices
                choice={choice}
                onChoice={setChoice}
                reassignTo={reassignTo}
                onReassignTo={setReassignTo}
                others={classes.filter((c) => c.id !== target.id)}
                annotations={preview.data.annotations}
              />
            ) : null}
          </div>
        )}
        {!canDelete ? <p className="text-sm text-amber-700">Only admins can delete classes.</p> : null}
        <DialogFooter>
          <Button variant="outline" onClick={onClose} disabled={remove.isPending}>
            Cancel
          </Button>
          <Button
            variant="destructive"
            onClick={confirm}
            disabled={!ready || remove.isPending}
            data-testid="confirm-delete-class"
          >
            {remove.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <Trash2Icon aria-hidden />}
            Delete class
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
