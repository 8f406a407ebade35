import { useState, type ReactNode } from 'react'
import { ExternalLinkIcon, Loader2Icon, SaveIcon, Trash2Icon, XIcon } from 'lucide-react'
import { toast } from 'sonner'
import { ErrorState, LoadingState } from '@/components/states'
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Sheet, SheetContent, SheetDescription, SheetFooter, SheetHeader, SheetTitle } from '@/components/ui/sheet'
import { errorMessage, isApiError, type ImageInUse, type LibraryImage } from '@/lib/api'
import { formatBytes, formatCount, formatDateTime } from '@/lib/format'
import { parseTags } from '../hooks/filters'
import { useDeleteImage, useImage, useUpdateImage } from '../hooks/images'

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-4 py-1.5 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 truncate text-right">{children}</dd>
    </div>
  )
}

function EditForm({ image }: { image: LibraryImage }) {
  const [folder, setFolder] = useState(image.folder ?? '')
  const [tags, setTags] = useState<string[]>(image.tags)
  const [draft, setDraft] = useState('')
  const update = useUpdateImage()
  const dirty = (folder.trim() || null) !== image.folder || tags.join(',') !== image.tags.join(',')

  const addDraft = () => {
    const fresh = parseTags(draft).filter((t) => !tags.includes(t))
    if (fresh.length > 0) setTags([...tags, ...fresh])
    setDraft('')
  }
  const save = () => {
    const pendingTags = parseTags(draft).filter((t) => !tags.includes(t))
    const nextTags = [...tags, ...pendingTags]
    setTags(nextTags)
    setDraft('')
    update.mutate(
      { id: image.id, patch: { folder: folder.trim() || null, tags: nextTags } },
      {
        onSuccess: (saved) => {
          setTags(saved.tags)
          setFolder(saved.folder ?? '')
          toast.success(`Saved ${saved.filename}`)
        },
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="image-folder">Folder</Label>
        <Input id="image-folder" placeholder="No folder" value={folder} onChange={(e) => setFolder(e.target.value)} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="image-tags">Tags</Label>
        <div className="flex flex-wrap gap-1" data-testid="image-tags">
          {tags.map((tag) => (
            <Badge key={tag} variant="secondary" className="pr-1">
              {tag}
              <button
                type="button"
                className="rounded-sm opacity-60 hover:opacity-100"
                aria-label={`Remove tag ${tag}`}
                onClick={() => setTags(tags.filter((t) => t !== tag))}
              >
                <XIcon aria-hidden />
              </button>
            </Badge>
          ))}
          {tags.length === 0 ? <span className="text-xs text-muted-foreground">No tags</span> : null}
        </div>
        <Input
          id="image-tags"
          placeholder="Add tags, comma-separated, Enter to add"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              addDraft()
            }
          }}
        />
      </div>
      <div className="flex justify-end">
        <Button size="sm" onClick={save} disabled={update.isPending || (!dirty && draft.trim() === '')} data-testid="save-image">
          {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <SaveIcon aria-hidden />}
          Save changes
        </Button>
      </div>
    </div>
  )
}

/** The image is annotated: how many annotations, in which datasets, would go with it. */
function InUseWarning({ inUse }: { inUse: ImageInUse }) {
  return (
    <div className="flex flex-col gap-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm" data-testid="image-in-use">
      <p className="font-medium text-amber-900">
        This image is annotated: {formatCount(inUse.annotations ?? 0)} annotation
        {(inUse.annotations ?? 0) === 1 ? '' : 's'} would be deleted with it.
      </p>
      <ul className="list-disc pl-5 text-amber-900">
        {(inUse.datasets ?? []).map((d) => (
          <li key={d.dataset_id}>
            {d.name}: {formatCount(d.annotations)} annotation{d.annotations === 1 ? '' : 's'}
          </li>
        ))}
      </ul>
    </div>
  )
}

function DeleteImage({ image, onDeleted }: { image: LibraryImage; onDeleted: () => void }) {
  const [open, setOpen] = useState(false)
  const [inUse, setInUse] = useState<ImageInUse | null>(null)
  const [blocked, setBlocked] = useState<string | null>(null)
  const remove = useDeleteImage()

  const run = (force: boolean) =>
    remove.mutate(
      { id: image.id, force },
      {
        onSuccess: () => {
          toast.success(`Deleted ${image.filename}`)
          setOpen(false)
          onDeleted()
        },
        onError: (error) => {
          if (isApiError(error) && error.status === 409 && error.body) {
            const extra = error.body as unknown as ImageInUse
            if (extra.versions && extra.versions.length > 0) setBlocked(error.detail)
            else setInUse(extra)
            return
          }
          toast.error(errorMessage(error))
        },
      },
    )

  return (
    <>
      <Button
        variant="outline"
        className="text-destructive"
        onClick={() => {
          setInUse(null)
          setBlocked(null)
          setOpen(true)
        }}
        data-testid="delete-image"
      >
        <Trash2Icon aria-hidden /> Delete image
      </Button>
      <AlertDialog open={open} onOpenChange={setOpen}>
        <AlertDialogContent data-testid="delete-image-dialog">
          <AlertDialogHeader>
            <AlertDialogTitle>Delete {image.filename}?</AlertDialogTitle>
            <AlertDialogDescription>
              The image, its file and its thumbnail are removed from the library and from every dataset.
            </AlertDialogDescription>
          </AlertDialogHeader>
          {blocked ? <p className="text-sm text-destructive">{blocked}</p> : null}
          {inUse ? <InUseWarning inUse={inUse} /> : null}
          <AlertDialogFooter>
            <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
            {blocked ? null : (
              <Button
                variant="destructive"
                disabled={remove.isPending}
                onClick={() => run(inUse !== null)}
                data-testid="confirm-delete-image"
              >
                {remove.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
                {inUse ? 'Delete with annotations' : 'Delete'}
              </Button>
            )}
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  )
}

export function ImageDetailSheet({ imageId, onClose }: { imageId: number | null; onClose: () => void }) {
  const image = useImage(imageId)
  return (
    <Sheet open={imageId !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <SheetContent className="gap-0 overflow-y-auto sm:max-w-xl" data-testid="image-detail">
        <SheetHeader>
          <SheetTitle className="truncate pr-6">{image.data?.filename ?? 'Image'}</SheetTitle>
          <SheetDescription>Image #{imageId}</SheetDescription>
        </SheetHeader>
        {image.isPending ? (
          <LoadingState />
        ) : image.isError ? (
          <ErrorState error={image.error} onRetry={() => void image.refetch()} />
        ) : (
          <>
            <div className="flex flex-col gap-5 p-5">
              <a
                href={image.data.file_url}
                target="_blank"
                rel="noreferrer"
                className="group relative block overflow-hidden rounded-md border bg-muted"
              >
                <img
                  src={image.data.file_url}
                  alt={image.data.filename}
                  className="max-h-96 w-full object-contain"
                />
                <span className="absolute top-2 right-2 rounded bg-card/90 p-1 opacity-0 shadow-sm group-hover:opacity-100">
                  <ExternalLinkIcon className="size-4" aria-label="Open the original" />
                </span>
              </a>
              <dl className="divide-y">
                <Meta label="Dimensions">
                  {image.data.width} × {image.data.height} px
                </Meta>
                <Meta label="Format">{image.data.format.toUpperCase()}</Meta>
                <Meta label="File size">{formatBytes(image.data.size_bytes)}</Meta>
                <Meta label="Source">
                  <span className="capitalize">{image.data.source}</span>
                  {image.data.source_id ? <span className="text-muted-foreground"> · {image.data.source_id}</span> : null}
                </Meta>
                <Meta label="Added">{formatDateTime(image.data.created_at)}</Meta>
                <Meta label="Content hash">
                  <span className="font-mono text-xs" title={image.data.content_hash}>
                    {image.data.content_hash.slice(0, 16)}…
                  </span>
                </Meta>
              </dl>
              <EditForm key={`${image.data.id}-${image.data.updated_at}`} image={image.data} />
            </div>
            <SheetFooter className="flex-row justify-end">
              <DeleteImage image={image.data} onDeleted={onClose} />
            </SheetFooter>
          </>
        )}
      </SheetContent>
    </Sheet>
  )
}
