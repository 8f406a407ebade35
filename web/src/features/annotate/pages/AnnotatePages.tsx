import { useParams } from 'react-router'
import { ComingSoon } from '@/components/coming-soon'
import { EditorPage } from '@/editor/ui/EditorPage'

export function AnnotateQueuePage() {
  return (
    <ComingSoon
      eyebrow="Object detection"
      title="Annotate"
      comingWith="the annotation editor"
      summary="Pick a dataset and work through its queue of unlabelled images, one keyboard shortcut at a time."
    />
  )
}

export function AnnotateEditorPage() {
  const { datasetId, imageId } = useParams()
  // Keyed by image: each image gets a fresh editor (its own history, autosave and canvases).
  return <EditorPage key={`${datasetId}/${imageId}`} datasetId={Number(datasetId)} imageId={Number(imageId)} />
}
