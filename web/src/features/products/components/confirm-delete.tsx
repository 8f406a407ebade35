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
import { frozenVersionsOf } from '../hooks/product-form'

/**
 * Confirm a delete of a product or an image. When a frozen PR dataset version uses the images the server
 * refuses (409) and names the versions; the person may then delete anyway, which drops them from those versions.
 */
export function ConfirmDelete({
  open,
  onOpenChange,
  title,
  description,
  pending,
  error,
  onDelete,
}: {
  open: boolean
  onOpenChange: (open: boolean) => void
  title: string
  description: string
  pending: boolean
  error: unknown
  onDelete: (force: boolean) => void
}) {
  const versions = frozenVersionsOf(error)
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      <AlertDialogContent data-testid="confirm-delete">
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription>{description}</AlertDialogDescription>
        </AlertDialogHeader>
        {versions ? (
          <div className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-testid="frozen-versions">
            <p className="mb-1 font-medium">Frozen dataset versions use these images:</p>
            <ul className="list-inside list-disc">
              {versions.map((v) => (
                <li key={v.version_id}>
                  <Link className="underline" to={`/datasets/${v.dataset_id}`}>
                    {v.dataset}
                  </Link>{' '}
                  version {v.number}
                </li>
              ))}
            </ul>
            <p className="mt-1 text-xs">Deleting anyway removes the images from those versions too.</p>
          </div>
        ) : error ? (
          <p className="text-sm text-destructive">{errorMessage(error)}</p>
        ) : null}
        <AlertDialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <Button variant="destructive" disabled={pending} onClick={() => onDelete(versions !== null)} data-testid="confirm-delete-button">
            {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            {versions ? 'Delete anyway' : 'Delete'}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
