import { useState, type FormEvent } from 'react'
import { Loader2Icon, UploadIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Progress } from '@/components/ui/progress'
import { Segmented } from '@/components/ui/segmented'
import { errorMessage, type FrameMode } from '@/lib/api'
import { formatBytes } from '@/lib/format'
import { useVideoUpload } from '../hooks/uploads'
import { framePolicyError } from '../hooks/video-policy'
import { FileField } from './file-field'

const MODES: { value: FrameMode; label: string }[] = [
  { value: 'interval', label: 'Every N seconds' },
  { value: 'key_frames', label: 'Key frames' },
  { value: 'first', label: 'First frame' },
]

export function VideoUploadForm({ productId }: { productId: number }) {
  const [file, setFile] = useState<File | null>(null)
  const [mode, setMode] = useState<FrameMode>('interval')
  const [everyS, setEveryS] = useState('1')
  const [maxFrames, setMaxFrames] = useState('50')
  const upload = useVideoUpload(productId)
  const problem = framePolicyError(mode, Number(everyS), Number(maxFrames))
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!file || problem) return
    upload.start(file, { mode, every_s: Number(everyS), max_frames: Number(maxFrames) }, () => setFile(null))
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3 rounded-md border bg-muted/20 p-3" data-testid="video-upload-form">
      <FileField label="Video" hint="MP4, MOV or WebM" accept="video/mp4,video/quicktime,video/webm,.mp4,.mov,.webm" file={file} onFile={setFile} disabled={upload.uploading} testId="video-file" />
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1.5">
          <Label>Frames to take</Label>
          <Segmented label="Frames to take" value={mode} options={MODES} onChange={setMode} testId="frame-mode" />
        </div>
        {mode === 'interval' ? (
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="every-s">Every (s)</Label>
            <Input id="every-s" type="number" step="0.1" min="0.1" className="h-9 w-24" value={everyS} onChange={(e) => setEveryS(e.target.value)} data-testid="every-s" />
          </div>
        ) : null}
        {mode !== 'first' ? (
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="max-frames">At most</Label>
            <Input id="max-frames" type="number" min="1" max="1000" className="h-9 w-24" value={maxFrames} onChange={(e) => setMaxFrames(e.target.value)} data-testid="max-frames" />
          </div>
        ) : null}
        <Button type="submit" disabled={!file || problem !== null || upload.uploading} data-testid="upload-video">
          {upload.uploading ? <Loader2Icon className="animate-spin" aria-hidden /> : <UploadIcon aria-hidden />}
          Upload video
        </Button>
      </div>
      {problem ? <p className="text-xs text-destructive">{problem}</p> : null}
      {upload.progress ? (
        <div className="flex items-center gap-2 text-xs text-muted-foreground">
          <Progress className="flex-1" value={upload.progress.total > 0 ? (upload.progress.loaded / upload.progress.total) * 100 : 0} aria-label="Upload progress" />
          {formatBytes(upload.progress.loaded)} of {formatBytes(upload.progress.total)}
        </div>
      ) : null}
      {upload.error ? (
        <p role="alert" className="text-sm text-destructive" data-testid="video-refused">
          {errorMessage(upload.error)}
        </p>
      ) : null}
    </form>
  )
}
