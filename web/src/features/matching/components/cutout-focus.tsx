import { ExternalLinkIcon } from 'lucide-react'
import { Link } from 'react-router'
import { Badge } from '@/components/ui/badge'
import type { Cutout } from '@/lib/api'
import { ShelfPhoto } from './shelf-photo'

/** The crop large, and the shelf photo it was cut from with its box drawn. */
export function CutoutFocus({ cutout, collectionId }: { cutout: Cutout; collectionId: number | null }) {
  const shelfLink = `/matching/images/${cutout.image_id}${collectionId !== null ? `?collection=${collectionId}` : ''}`
  return (
    <div className="flex min-w-0 flex-col gap-3" data-testid="cutout-focus" data-cutout-id={cutout.id}>
      <div className="flex h-64 items-center justify-center rounded-md border bg-[repeating-conic-gradient(#f4f4f5_0_25%,#fff_0_50%)] bg-[length:16px_16px] p-2">
        <img src={cutout.crop_url} alt={`Cutout ${cutout.id}`} className="max-h-full max-w-full object-contain" draggable={false} data-testid="focus-crop" />
      </div>
      <div className="flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
        <span className="font-medium text-foreground">Cutout #{cutout.id}</span>
        {cutout.class_name ? <Badge variant="outline">{cutout.class_name}</Badge> : null}
        <span>
          {cutout.width}×{cutout.height} px · {cutout.source}
        </span>
      </div>
      <div className="flex flex-col gap-1.5">
        <div className="flex items-center justify-between gap-2 text-xs text-muted-foreground">
          <span className="truncate">On {cutout.image.filename}</span>
          <Link to={shelfLink} className="inline-flex items-center gap-1 text-primary hover:underline" data-testid="open-shelf">
            <ExternalLinkIcon className="size-3" aria-hidden /> Shelf view
          </Link>
        </div>
        <ShelfPhoto
          src={cutout.image.file_url}
          alt={`Shelf photo ${cutout.image.filename}`}
          width={cutout.image.width}
          height={cutout.image.height}
          imgClassName="max-h-52 w-auto"
          boxes={[{ key: cutout.id, box: cutout.box, className: 'border-2 border-amber-400 shadow-[0_0_0_1px_rgba(0,0,0,0.6),0_0_0_9999px_rgba(0,0,0,0.35)]', testId: 'focus-shelf-box' }]}
          className="overflow-hidden rounded-sm"
        />
      </div>
    </div>
  )
}
