import { Loader2Icon } from 'lucide-react'
import { Link } from 'react-router'
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { errorMessage } from '@/lib/api'
import { linkedModelIds } from '../hooks/refusals'

interface ForceDeleteProps {
  open: boolean
  onOpenChange: (open: boolean) => void
  title: string
  description: string
  /** What force keeps, said when the server names linked models. */
  forceNote: string
  pending: boolean
  error: unknown
  onDelete: (force: boolean) => void
}

/**
 * Confirm a delete. When registered models link what is deleted the server refuses (409) naming them;
 * the dialog then lists them and offers to delete anyway (the models keep their own copy).
 */
export function ForceDeleteDialog({ open, onOpenChange, title, description, forceNote, pending, error, onDelete }: ForceDeleteProps) {
  const models = linkedModelIds(error)
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      <AlertDialogContent data-testid="force-delete-dialog">
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription>{description}</AlertDialogDescription>
        </AlertDialogHeader>
        {models ? (
          <div className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-testid="linked-models">
            <p className="mb-1 font-medium">{models.length === 1 ? 'A registered model links it:' : 'Registered models link it:'}</p>
            <ul className="list-inside list-disc">
              {models.map((id) => (
                <li key={id}>
                  <Link className="underline" to={`/models/${id}`}>
                    Model #{id}
                  </Link>
                </li>
              ))}
            </ul>
            <p className="mt-1 text-xs">{forceNote}</p>
          </div>
        ) : error ? (
          <p className="text-sm text-destructive">{errorMessage(error)}</p>
        ) : null}
        <AlertDialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <Button variant="destructive" disabled={pending} onClick={() => onDelete(models !== null)} data-testid="force-delete-confirm">
            {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            {models ? 'Delete anyway' : 'Delete'}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
