import { useRef, useState } from 'react'
import { CheckCircle2Icon, CopyIcon, Loader2Icon, UploadCloudIcon, XCircleIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Progress } from '@/components/ui/progress'
import { formatBytes, formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'
import type { UploadItem, UploadSummary } from '../hooks/upload-queue'

export const ACCEPTED_TYPES = 'image/jpeg,image/png,image/webp,image/bmp,image/tiff,.jpg,.jpeg,.png,.webp,.bmp,.tif,.tiff'

interface DropZoneProps {
  onFiles: (files: File[]) => void
  disabled?: boolean
  className?: string
}

/** Drop files here or pick them; folders dropped from a file manager arrive as their files in most browsers. */
export function DropZone({ onFiles, disabled, className }: DropZoneProps) {
  const input = useRef<HTMLInputElement>(null)
  const [over, setOver] = useState(false)
  return (
    <div
      data-testid="upload-dropzone"
      role="button"
      tabIndex={0}
      aria-label="Drop images here or choose files"
      aria-disabled={disabled}
      onClick={() => input.current?.click()}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault()
          input.current?.click()
        }
      }}
      onDragEnter={(event) => {
        event.preventDefault()
        setOver(true)
      }}
      onDragOver={(event) => {
        event.preventDefault()
        event.dataTransfer.dropEffect = 'copy'
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault()
        setOver(false)
        if (disabled) return
        const files = Array.from(event.dataTransfer.files)
        if (files.length > 0) onFiles(files)
      }}
      className={cn(
        'flex cursor-pointer flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed px-6 py-8 text-center transition-colors outline-none focus-visible:ring-2 focus-visible:ring-ring/40',
        over ? 'border-primary bg-primary/5' : 'border-input hover:bg-muted/40',
        disabled && 'pointer-events-none opacity-60',
        className,
      )}
    >
      <span className="flex size-10 items-center justify-center rounded-full bg-primary/10 text-primary">
        <UploadCloudIcon className="size-5" aria-hidden />
      </span>
      <p className="text-sm font-medium">Drop images here, or click to choose files</p>
      <p className="text-xs text-muted-foreground">JPEG, PNG, WebP, BMP or TIFF. Identical files are stored once.</p>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPTED_TYPES}
        className="sr-only"
        data-testid="upload-input"
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        onChange={(event) => {
          const files = Array.from(event.target.files ?? [])
          event.target.value = ''
          if (files.length > 0) onFiles(files)
        }}
      />
    </div>
  )
}

const STATUS_BADGE: Record<UploadItem['status'], { label: string; variant: 'secondary' | 'info' | 'success' | 'warning' | 'destructive' }> = {
  queued: { label: 'Queued', variant: 'secondary' },
  uploading: { label: 'Uploading', variant: 'info' },
  stored: { label: 'Stored', variant: 'success' },
  duplicate: { label: 'Duplicate', variant: 'warning' },
  rejected: { label: 'Rejected', variant: 'destructive' },
  failed: { label: 'Failed', variant: 'destructive' },
}

function StatusIcon({ status }: { status: UploadItem['status'] }) {
  if (status === 'uploading' || status === 'queued')
    return <Loader2Icon className={cn('size-4 text-muted-foreground', status === 'uploading' && 'animate-spin')} aria-hidden />
  if (status === 'stored') return <CheckCircle2Icon className="size-4 text-emerald-600" aria-hidden />
  if (status === 'duplicate') return <CopyIcon className="size-4 text-amber-600" aria-hidden />
  return <XCircleIcon className="size-4 text-destructive" aria-hidden />
}

export function UploadSummaryBar({ summary }: { summary: UploadSummary }) {
  const finished = summary.done === summary.total
  return (
    <div className="flex flex-col gap-2" data-testid="upload-summary" data-finished={finished}>
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <span className="font-medium">
          {finished
            ? `Done: ${formatCount(summary.total)} file${summary.total === 1 ? '' : 's'}`
            : `Uploading ${formatCount(summary.done)} of ${formatCount(summary.total)}…`}
        </span>
        <span className="flex flex-wrap gap-1.5">
          <Badge variant="success" data-testid="upload-stored">{summary.stored} stored</Badge>
          <Badge variant="warning" data-testid="upload-duplicate">{summary.duplicate} duplicate</Badge>
          <Badge variant="destructive" data-testid="upload-rejected">{summary.rejected + summary.failed} rejected</Badge>
        </span>
      </div>
      <Progress value={summary.progress * 100} aria-label="Upload progress" />
    </div>
  )
}

export function UploadList({ items }: { items: readonly UploadItem[] }) {
  return (
    <ul className="max-h-64 divide-y overflow-y-auto rounded-md border" aria-label="Uploads">
      {items.map((item) => {
        const badge = STATUS_BADGE[item.status]
        return (
          <li key={item.key} className="flex flex-col gap-1.5 px-3 py-2" data-testid="upload-item" data-status={item.status}>
            <div className="flex items-center gap-2 text-sm">
              <StatusIcon status={item.status} />
              <span className="min-w-0 flex-1 truncate" title={item.name}>
                {item.name}
              </span>
              <span className="text-xs text-muted-foreground tabular-nums">{formatBytes(item.size)}</span>
              <Badge variant={badge.variant}>{badge.label}</Badge>
            </div>
            {item.status === 'uploading' ? <Progress value={item.progress * 100} className="h-1" /> : null}
            {item.reason ? <p className="pl-6 text-xs text-destructive">{item.reason}</p> : null}
            {item.status === 'duplicate' && item.image ? (
              <p className="pl-6 text-xs text-muted-foreground">Already in the library as image #{item.image.id}.</p>
            ) : null}
          </li>
        )
      })}
    </ul>
  )
}

export function UploadActions({ busy, onCancel, onClear }: { busy: boolean; onCancel: () => void; onClear: () => void }) {
  return busy ? (
    <Button variant="outline" size="sm" onClick={onCancel}>
      Cancel remaining
    </Button>
  ) : (
    <Button variant="ghost" size="sm" onClick={onClear}>
      Clear list
    </Button>
  )
}
