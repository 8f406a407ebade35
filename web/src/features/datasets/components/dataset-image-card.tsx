/** One image of a dataset's grid: its thumbnail with its boxes drawn on it, status, split and actions. */
import { EllipsisIcon, Loader2Icon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import {
  DATASET_IMAGE_STATUSES,
  errorMessage,
  type DatasetImage,
  type DatasetImagePatch,
  type DatasetImageStatus,
  type DatasetSplit,
  type ThumbBox,
} from '@/lib/api'
import { countOf } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useUpdateDatasetImage } from '../hooks/datasets'
import { STATUS_META } from './overview-tab'

export const SPLITS: DatasetSplit[] = ['train', 'val', 'test']

const STATUS_VARIANT: Record<DatasetImageStatus, 'secondary' | 'info' | 'success' | 'warning'> = {
  new: 'secondary',
  in_progress: 'info',
  completed: 'success',
  skipped: 'warning',
}

/** The status and split entries of a menu; `current` disables what the image already has. */
export function StatusSplitItems({
  onPick,
  current,
}: {
  onPick: (body: DatasetImagePatch, done: string) => void
  current?: { status: DatasetImageStatus; split: DatasetSplit | null }
}) {
  return (
    <>
      <DropdownMenuLabel>Status</DropdownMenuLabel>
      {DATASET_IMAGE_STATUSES.map((s) => (
        <DropdownMenuItem key={s} disabled={s === current?.status} onSelect={() => onPick({ status: s }, STATUS_META[s].label)}>
          {STATUS_META[s].label}
        </DropdownMenuItem>
      ))}
      <DropdownMenuSeparator />
      <DropdownMenuLabel>Split</DropdownMenuLabel>
      {SPLITS.map((s) => (
        <DropdownMenuItem key={s} disabled={current !== undefined && s === current.split} onSelect={() => onPick({ split: s }, `split ${s}`)}>
          {s}
        </DropdownMenuItem>
      ))}
      <DropdownMenuItem disabled={current !== undefined && current.split === null} onSelect={() => onPick({ split: null }, 'split cleared')}>
        No split
      </DropdownMenuItem>
    </>
  )
}

/** Per-image actions: set the labelling status or the split by hand. */
function ImageMenu({ datasetId, item }: { datasetId: number; item: DatasetImage }) {
  const update = useUpdateDatasetImage(datasetId)
  const filename = item.image.filename
  const apply = (body: DatasetImagePatch, done: string) =>
    update.mutate(
      { imageId: item.image_id, body },
      {
        onSuccess: () => toast.success(`${filename}: ${done}`),
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="secondary" size="icon" className="size-7" aria-label={`Actions for ${filename}`}>
          {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <EllipsisIcon aria-hidden />}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <StatusSplitItems onPick={apply} current={{ status: item.status, split: item.split }} />
      </DropdownMenuContent>
    </DropdownMenu>
  )
}

/** The thumbnail, whole (letterboxed), with the boxes on top in the same coordinates. */
export function BoxedThumbnail({
  src,
  width,
  height,
  boxes,
}: {
  src: string
  width: number
  height: number
  boxes: ThumbBox[] | null | undefined
}) {
  return (
    <div className="relative aspect-[4/3] w-full bg-muted">
      <img src={src} alt="" loading="lazy" className="absolute inset-0 size-full object-contain" />
      {boxes && boxes.length > 0 ? (
        <svg
          className="pointer-events-none absolute inset-0 size-full"
          viewBox={`0 0 ${width} ${height}`}
          preserveAspectRatio="xMidYMid meet"
          aria-hidden
          data-testid="thumbnail-boxes"
        >
          {boxes.map((b, i) => (
            <rect
              key={i}
              x={b.x * width}
              y={b.y * height}
              width={b.w * width}
              height={b.h * height}
              fill={b.color}
              fillOpacity={0.12}
              stroke={b.color}
              strokeWidth={2}
              vectorEffect="non-scaling-stroke"
            />
          ))}
        </svg>
      ) : null}
    </div>
  )
}

export function DatasetImageCard({
  datasetId,
  item,
  selected,
  onSelect,
}: {
  datasetId: number
  item: DatasetImage
  selected: boolean
  onSelect: (checked: boolean) => void
}) {
  return (
    <li
      className={cn('group relative overflow-hidden rounded-lg border bg-card shadow-xs', selected && 'ring-2 ring-primary')}
      data-testid="dataset-image"
    >
      <Link
        to={`/od/annotate/${datasetId}/${item.image_id}`}
        className="block outline-none focus-visible:ring-2 focus-visible:ring-ring/50"
        aria-label={`Annotate ${item.image.filename}`}
      >
        <BoxedThumbnail src={item.image.thumbnail_url} width={item.image.width} height={item.image.height} boxes={item.boxes} />
        <div className="flex flex-col gap-1 p-2">
          <p className="truncate text-sm font-medium" title={item.image.filename}>
            {item.image.filename}
          </p>
          <div className="flex flex-wrap items-center gap-1">
            <Badge variant={STATUS_VARIANT[item.status]}>{STATUS_META[item.status].label}</Badge>
            {item.split ? <Badge variant="outline">{item.split}</Badge> : null}
            <span className="ml-auto text-xs text-muted-foreground tabular-nums">
              {countOf(item.annotation_count, 'box', 'boxes')}
            </span>
          </div>
        </div>
      </Link>
      <div className="absolute top-2 right-2 opacity-0 transition-opacity group-hover:opacity-100 focus-within:opacity-100 has-[[data-state=open]]:opacity-100">
        <ImageMenu datasetId={datasetId} item={item} />
      </div>
      <div
        className={cn(
          'absolute top-2 left-2 rounded bg-card/90 p-0.5 shadow-sm transition-opacity',
          selected ? 'opacity-100' : 'opacity-0 group-hover:opacity-100 focus-within:opacity-100',
        )}
      >
        <Checkbox
          checked={selected}
          aria-label={`Select ${item.image.filename}`}
          onCheckedChange={(checked) => onSelect(checked === true)}
        />
      </div>
    </li>
  )
}
