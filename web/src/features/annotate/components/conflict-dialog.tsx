import {
  AlertDialog,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { useShapeWords } from '../hooks/shape-words'
import type { ConflictInfo } from '../sync/save-controller'

/** A 409: someone else saved this image. Take theirs, or put mine on top of theirs. */
export function ConflictDialog({ conflict, onResolve }: { conflict: ConflictInfo | null; onResolve: (choice: 'theirs' | 'mine') => void }) {
  const words = useShapeWords()
  return (
    <AlertDialog open={conflict !== null}>
      <AlertDialogContent data-testid="conflict-dialog" className="sm:max-w-xl">
        <AlertDialogHeader>
          <AlertDialogTitle>This image was changed by someone else</AlertDialogTitle>
          <AlertDialogDescription>
            {conflict?.mine ? conflict.message : 'Someone else saved this image while you were editing it.'} The server now has revision{' '}
            {conflict?.current.revision} with {words.count(conflict?.current.items.length ?? 0)}. Your changes are not lost: choose which version to keep.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter className="sm:flex-wrap">
          <Button variant="outline" onClick={() => onResolve('theirs')}>
            Reload theirs (discard mine)
          </Button>
          <Button onClick={() => onResolve('mine')}>Keep mine (apply on top of theirs)</Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
