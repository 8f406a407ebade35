import { useParams } from 'react-router'
import { EditorPage } from '@/editor/ui/EditorPage'
import { QueuePage } from '@/editor/ui/QueuePage'

export function AnnotateQueuePage() {
  return <QueuePage />
}

export function AnnotateEditorPage() {
  const { datasetId, imageId } = useParams()
  // Keyed by image: each image gets a fresh editor (its own history, autosave and canvases).
  return <EditorPage key={`${datasetId}/${imageId}`} datasetId={Number(datasetId)} imageId={Number(imageId)} />
}
