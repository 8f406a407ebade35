/** The editor's top bar: back to the queue, the file, its status, image navigation, Skip / Mark completed, save state. */
import { ArrowLeftIcon, BanIcon, ChevronLeftIcon, ChevronRightIcon, CircleCheckIcon, FastForwardIcon } from 'lucide-react'
import { Link } from 'react-router'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import type { DatasetImageStatus, Neighbors } from '@/lib/api'
import { STATUS_LABEL } from '../hooks/editor-actions'
import type { SaveState } from '../sync/save-controller'
import { DatasetHeading } from './dataset-heading'
import { SaveStatusIndicator } from './save-status-indicator'

export interface EditorHeaderProps {
  datasetId: number
  imageId: number
  filename: string | null
  status: DatasetImageStatus | null
  neighbors: Neighbors | undefined
  saveState: SaveState
  onGoTo: (target: number | null | undefined) => void
  onSetStatus: (status: DatasetImageStatus) => void
  onRetrySave: () => void
}

export function EditorHeader({ datasetId, imageId, filename, status, neighbors, saveState, onGoTo, onSetStatus, onRetrySave }: EditorHeaderProps) {
  const loaded = filename !== null
  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b bg-card px-3">
      <Button variant="ghost" size="sm" asChild>
        <Link to="/od/annotate" title="Back to the annotation queue">
          <ArrowLeftIcon />
          Queue
        </Link>
      </Button>
      <DatasetHeading datasetId={datasetId} filename={filename} />
      {status ? (
        <Badge variant="outline" data-testid="image-status">
          {STATUS_LABEL[status]}
        </Badge>
      ) : null}
      <div className="flex-1" />
      <nav aria-label="Images" className="flex items-center gap-1">
        <Button variant="ghost" size="icon-sm" aria-label="Previous image" title="Previous image (←)" disabled={!neighbors?.prev_image_id} onClick={() => onGoTo(neighbors?.prev_image_id)}>
          <ChevronLeftIcon />
        </Button>
        <span className="min-w-16 text-center text-sm tabular-nums" data-testid="image-counter">
          {neighbors ? `${neighbors.index} / ${neighbors.total}` : '– / –'}
        </span>
        <Button variant="ghost" size="icon-sm" aria-label="Next image" title="Next image (→)" disabled={!neighbors?.next_image_id} onClick={() => onGoTo(neighbors?.next_image_id)}>
          <ChevronRightIcon />
        </Button>
        <Button
          variant="ghost"
          size="sm"
          title="Next image not yet annotated"
          disabled={!neighbors?.next_unannotated_image_id || neighbors.next_unannotated_image_id === imageId}
          onClick={() => onGoTo(neighbors?.next_unannotated_image_id)}
        >
          <FastForwardIcon />
          Next unannotated
        </Button>
      </nav>
      <div className="h-5 w-px bg-border" />
      <Button variant="outline" size="sm" onClick={() => onSetStatus('skipped')} disabled={!loaded}>
        <BanIcon />
        Skip
      </Button>
      <Button size="sm" onClick={() => onSetStatus('completed')} disabled={!loaded}>
        <CircleCheckIcon />
        Mark completed
      </Button>
      <SaveStatusIndicator state={saveState} onRetry={onRetrySave} />
    </header>
  )
}
