import { useState } from 'react'
import { ArrowRightLeftIcon, ExternalLinkIcon, FilmIcon, MoreHorizontalIcon, Trash2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from '@/components/ui/dropdown-menu'
import { errorMessage, PRODUCT_DOMAINS, type ProductImage } from '@/lib/api'
import { DOMAIN_LABEL } from '../hooks/domains'
import { useDeleteProductImage, useUpdateProductImage } from '../hooks/queries'
import { ConfirmDelete } from './confirm-delete'
import { MoveImageDialog } from './move-image-dialog'

function Caption({ image }: { image: ProductImage }) {
  if (image.frame_index !== null) {
    return (
      <span className="flex items-center gap-1 whitespace-nowrap" data-testid="frame-caption" title={`Frame ${image.frame_index} of its video`}>
        <FilmIcon className="size-3" aria-hidden /> frame {image.frame_index}
        {image.frame_time_s !== null ? ` · ${image.frame_time_s.toFixed(1)}s` : ''}
      </span>
    )
  }
  return <span className="truncate">{image.filename}</span>
}

function TileMenu({ image, canWrite, onMove, onDelete }: { image: ProductImage; canWrite: boolean; onMove: () => void; onDelete: () => void }) {
  const update = useUpdateProductImage()
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="secondary" size="icon-sm" className="absolute top-1 right-1 size-7 opacity-80 shadow-sm group-hover:opacity-100" aria-label={`Actions for ${image.filename}`} data-testid="image-actions">
          <MoreHorizontalIcon aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuItem asChild>
          <a href={image.file_url} target="_blank" rel="noreferrer">
            <ExternalLinkIcon aria-hidden /> Open full size
          </a>
        </DropdownMenuItem>
        {canWrite ? (
          <>
            <DropdownMenuSeparator />
            <DropdownMenuLabel className="text-xs text-muted-foreground">Change domain to</DropdownMenuLabel>
            {PRODUCT_DOMAINS.filter((d) => d !== image.domain).map((d) => (
              <DropdownMenuItem
                key={d}
                data-testid={`set-domain-${d}`}
                onSelect={() =>
                  update.mutate(
                    { imageId: image.id, patch: { domain: d } },
                    { onSuccess: () => toast.success(`Moved to ${DOMAIN_LABEL[d].toLowerCase()}`), onError: (e) => toast.error(errorMessage(e)) },
                  )
                }
              >
                {DOMAIN_LABEL[d]}
              </DropdownMenuItem>
            ))}
            <DropdownMenuSeparator />
            <DropdownMenuItem onSelect={onMove} data-testid="move-image">
              <ArrowRightLeftIcon aria-hidden /> Move to another product…
            </DropdownMenuItem>
            <DropdownMenuItem variant="destructive" onSelect={onDelete} data-testid="delete-image">
              <Trash2Icon aria-hidden /> Delete
            </DropdownMenuItem>
          </>
        ) : null}
      </DropdownMenuContent>
    </DropdownMenu>
  )
}

/** One product image: its thumbnail, where it came from, and a menu to open, re-domain, move or delete it. */
export function ImageTile({ image, canWrite }: { image: ProductImage; canWrite: boolean }) {
  const [moving, setMoving] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const remove = useDeleteProductImage()
  return (
    <li className="group relative overflow-hidden rounded-md border bg-card" data-testid="product-image" data-image-id={image.id} data-domain={image.domain} data-source={image.source}>
      <a href={image.file_url} target="_blank" rel="noreferrer" className="block aspect-square bg-muted" title={`${image.filename} · ${image.width}×${image.height}`}>
        <img src={image.thumbnail_url} alt={image.filename} loading="lazy" className="size-full object-contain" draggable={false} />
      </a>
      <div className="flex items-center justify-between gap-1 px-1.5 py-1 text-[11px] text-muted-foreground">
        <Caption image={image} />
        {image.frame_index === null ? <span className="shrink-0">{image.source}</span> : null}
      </div>
      <TileMenu image={image} canWrite={canWrite} onMove={() => setMoving(true)} onDelete={() => setDeleting(true)} />
      <MoveImageDialog image={image} open={moving} onOpenChange={setMoving} />
      <ConfirmDelete
        open={deleting}
        onOpenChange={(open) => {
          setDeleting(open)
          if (!open) remove.reset()
        }}
        title="Delete this image?"
        description={`${image.filename} is removed from the product and from storage.`}
        pending={remove.isPending}
        error={remove.error}
        onDelete={(force) =>
          remove.mutate({ imageId: image.id, force }, { onSuccess: () => toast.success(`Deleted ${image.filename}`) })
        }
      />
    </li>
  )
}
