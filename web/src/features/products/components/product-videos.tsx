import { useEffect, useRef, useState } from 'react'
import { FilmIcon, Loader2Icon, Trash2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { ErrorState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import { errorMessage, isVideoBusy, type ProductVideo } from '@/lib/api'
import { formatBytes, formatRelative } from '@/lib/format'
import { useCatalogueChanged, useDeleteVideo, useProductVideos } from '../hooks/queries'
import { VideoUploadForm } from './video-upload-form'

const STATUS_VARIANT = { pending: 'secondary', extracting: 'info', ready: 'success', failed: 'destructive' } as const

function policyText(video: ProductVideo): string {
  const p = video.frame_policy
  if (!p?.mode) return ''
  if (p.mode === 'first') return 'first frame'
  if (p.mode === 'key_frames') return `key frames, at most ${p.max_frames ?? '?'}`
  return `one every ${p.every_s ?? '?'} s, at most ${p.max_frames ?? '?'}`
}

function VideoRow({ video, productId }: { video: ProductVideo; productId: number }) {
  const [withFrames, setWithFrames] = useState(false)
  const remove = useDeleteVideo(productId)
  const facts = [
    video.duration_s !== null ? `${video.duration_s.toFixed(1)} s` : null,
    video.width && video.height ? `${video.width}×${video.height}` : null,
    video.fps ? `${Math.round(video.fps)} fps` : null,
    formatBytes(video.size_bytes),
    policyText(video),
  ].filter(Boolean)
  return (
    <li className="flex flex-wrap items-center gap-3 py-2.5" data-testid="product-video" data-status={video.status} data-frames={video.frames_extracted}>
      <FilmIcon className="size-5 text-muted-foreground" aria-hidden />
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium">
          {video.file_url ? (
            <a href={video.file_url} className="hover:underline" target="_blank" rel="noreferrer">
              {video.filename}
            </a>
          ) : (
            video.filename
          )}
        </p>
        <p className="text-xs text-muted-foreground">{facts.join(' · ')}</p>
        {video.error ? <p className="text-xs text-destructive">{video.error}</p> : null}
      </div>
      <Badge variant={STATUS_VARIANT[video.status]} data-testid="video-status">
        {isVideoBusy(video) ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
        {video.status}
      </Badge>
      <span className="w-24 text-right text-sm tabular-nums" data-testid="video-frames">
        {video.frames_extracted} frames
      </span>
      <span className="w-20 text-xs text-muted-foreground">{video.kept ? 'file kept' : 'file dropped'}</span>
      <span className="w-16 text-xs text-muted-foreground">{formatRelative(video.created_at)}</span>
      <label className="flex items-center gap-1 text-xs text-muted-foreground">
        <Checkbox checked={withFrames} onCheckedChange={(c) => setWithFrames(c === true)} aria-label={`Also delete the frames of ${video.filename}`} />
        with frames
      </label>
      <Button
        variant="ghost"
        size="icon-sm"
        aria-label={`Delete ${video.filename}`}
        disabled={remove.isPending}
        data-testid="delete-video"
        onClick={() =>
          remove.mutate({ videoId: video.id, deleteFrames: withFrames }, { onSuccess: () => toast.success(`Deleted ${video.filename}`), onError: (e) => toast.error(errorMessage(e)) })
        }
      >
        <Trash2Icon aria-hidden />
      </Button>
    </li>
  )
}

/**
 * When a video's status or frame count moves, frames came in: refresh the product and its gallery (also
 * when the extraction was so quick that no poll ever saw it running).
 */
function useRefreshWhenExtracted(videos: ProductVideo[] | undefined) {
  const changed = useCatalogueChanged()
  const busy = videos?.some(isVideoBusy) ?? false
  const signature = videos?.map((v) => `${v.id}:${v.status}:${v.frames_extracted}`).join(',') ?? null
  const seen = useRef(signature)
  useEffect(() => {
    if (seen.current !== null && signature !== null && seen.current !== signature) changed()
    if (signature !== null) seen.current = signature
  }, [signature, changed])
  return busy
}

/** The product's videos and their frame extraction; reports whether one is extracting (the gallery polls then). */
export function ProductVideos({ productId, canWrite, onBusy }: { productId: number; canWrite: boolean; onBusy: (busy: boolean) => void }) {
  const videos = useProductVideos(productId)
  const busy = useRefreshWhenExtracted(videos.data)
  useEffect(() => onBusy(busy), [busy, onBusy])
  return (
    <Card data-testid="product-videos">
      <CardHeader>
        <CardTitle className="text-base">Videos</CardTitle>
        <CardDescription>A turntable or hand-held clip (MP4, MOV or WebM): its frames become synthetic images.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {canWrite ? <VideoUploadForm productId={productId} /> : null}
        {videos.isError ? (
          <ErrorState error={videos.error} title="Could not load videos" className="py-4" />
        ) : (videos.data ?? []).length === 0 ? (
          <p className="text-sm text-muted-foreground">{videos.isPending ? 'Loading…' : 'No videos yet.'}</p>
        ) : (
          <ul className="divide-y">
            {(videos.data ?? []).map((v) => (
              <VideoRow key={v.id} video={v} productId={productId} />
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  )
}
