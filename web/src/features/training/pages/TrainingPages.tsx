import { useParams } from 'react-router'
import { ComingSoon } from '@/components/coming-soon'

export function TrainingRunsPage() {
  return (
    <ComingSoon
      eyebrow="Object detection"
      title="Training"
      comingWith="training"
      summary="Train detectors on a frozen dataset version and compare runs by their metrics curves."
    />
  )
}

export function NewTrainingPage() {
  return (
    <ComingSoon
      eyebrow="Object detection · Training"
      title="New training run"
      comingWith="training"
      summary="A wizard to pick a dataset version, a base model and its settings, then queue the run on any worker."
    />
  )
}

export function TrainingRunPage() {
  const { id } = useParams()
  return (
    <ComingSoon
      eyebrow="Object detection · Training"
      title={`Training run ${id ?? ''}`.trim()}
      comingWith="training"
      summary="Live loss and mAP curves, logs and checkpoints of one training run."
    />
  )
}
