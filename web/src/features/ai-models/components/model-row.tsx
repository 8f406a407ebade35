import { useCallback, useState } from 'react'
import { DownloadIcon, Loader2Icon, Trash2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { TableCell, TableRow } from '@/components/ui/table'
import { JobProgress, useJobFinished, useLiveJob } from '@/features/jobs'
import { errorMessage, isActiveJob, type AiModel, type Job } from '@/lib/api'
import { formatBytes } from '@/lib/format'
import { useFetchAiModel, useRefreshAiModels } from '../hooks/ai-models'
import { Capabilities } from './capabilities'

const TASK_LABELS: Record<AiModel['task'], string> = { detector: 'Detector', segmenter: 'Segmenter', embedder: 'Embedder' }

/** The catalogue's download size, in the MB and GB the hub shows. */
export function approxSize(mb: number): string {
  return mb >= 1000 ? `~${(mb / 1000).toFixed(1)} GB` : `~${mb} MB`
}

function StatusBadge({ model, downloading }: { model: AiModel; downloading: boolean }) {
  if (downloading) return <Badge variant="info">Downloading</Badge>
  return model.present ? <Badge variant="success">Present</Badge> : <Badge variant="outline">Missing</Badge>
}

/** The download this row follows: one it started, or the one the server reports. */
function useRowDownload(model: AiModel) {
  const [startedId, setStartedId] = useState<number | null>(null)
  const trackedId = model.fetch_job?.id ?? startedId
  const { job } = useLiveJob(trackedId)
  const refresh = useRefreshAiModels()
  const onFinish = useCallback(
    (done: Job) => {
      refresh()
      if (done.status === 'succeeded') toast.success(`${model.title} is installed`)
      else if (done.status === 'failed') toast.error(done.error ?? `The download of ${model.title} failed`)
    },
    [model.title, refresh],
  )
  useJobFinished(job.data, onFinish)
  return { job: trackedId === null ? undefined : job.data, setStartedId }
}

interface ModelRowProps {
  model: AiModel
  isAdmin: boolean
  onDelete: (model: AiModel) => void
}

export function ModelRow({ model, isAdmin, onDelete }: ModelRowProps) {
  const fetch = useFetchAiModel()
  const { job, setStartedId } = useRowDownload(model)
  const downloading = job ? isActiveJob(job) : false
  const start = () =>
    fetch.mutate(model.key, {
      onSuccess: ({ job: started }) => setStartedId(started.id),
      onError: (error) => toast.error(errorMessage(error)),
    })
  return (
    <TableRow data-testid="ai-model-row" data-key={model.key} data-present={model.present}>
      <TableCell className="max-w-64 align-top">
        <div className="font-medium">{model.title}</div>
        <div className="font-mono text-xs text-muted-foreground">{model.key}</div>
        <div className="truncate text-xs text-muted-foreground" title={[model.hub_id, model.note].filter(Boolean).join('\n')}>
          {model.hub_id}
        </div>
        {model.gated ? (
          <div className="text-xs text-amber-700 dark:text-amber-400" data-testid="gated-note">
            Gated on the hub: set SHELFSCOPE_ML_HUB_TOKEN
          </div>
        ) : null}
      </TableCell>
      <TableCell className="align-top">{TASK_LABELS[model.task] ?? model.task}</TableCell>
      <TableCell className="align-top">
        <Capabilities capabilities={model.capabilities} />
      </TableCell>
      <TableCell className="align-top">{model.licence}</TableCell>
      <TableCell className="align-top tabular-nums">{approxSize(model.size_mb)}</TableCell>
      <TableCell className="align-top">
        <div className="flex flex-col items-start gap-2">
          <StatusBadge model={model} downloading={downloading} />
          {job && (downloading || job.status === 'failed') ? <JobProgress job={job} compact className="w-56" /> : null}
          {job?.status === 'failed' && job.error ? <p className="w-56 text-xs break-words text-destructive">{job.error}</p> : null}
        </div>
      </TableCell>
      <TableCell className="align-top tabular-nums" data-testid="size-on-disk">
        {model.size_on_disk > 0 ? formatBytes(model.size_on_disk) : '—'}
      </TableCell>
      {isAdmin ? (
        <TableCell className="text-right align-top">
          {model.present ? (
            <Button variant="outline" size="sm" onClick={() => onDelete(model)} aria-label={`Delete ${model.title}`}>
              <Trash2Icon aria-hidden /> Delete
            </Button>
          ) : (
            <Button size="sm" onClick={start} disabled={fetch.isPending || downloading} aria-label={`Fetch ${model.title}`}>
              {fetch.isPending || downloading ? <Loader2Icon className="animate-spin" aria-hidden /> : <DownloadIcon aria-hidden />}
              Fetch
            </Button>
          )}
        </TableCell>
      ) : null}
    </TableRow>
  )
}
