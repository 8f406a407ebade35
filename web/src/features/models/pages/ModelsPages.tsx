import { useParams } from 'react-router'
import { ComingSoon } from '@/components/coming-soon'

export function ModelsPage() {
  return (
    <ComingSoon
      eyebrow="Object detection"
      title="Models"
      comingWith="the model registry"
      summary="Every trained detector with its metrics and class mapping; choose the default model for AI auto-annotation."
    />
  )
}

export function ModelDetailPage() {
  const { id } = useParams()
  return (
    <ComingSoon
      eyebrow="Object detection · Models"
      title={`Model ${id ?? ''}`.trim()}
      comingWith="the model registry"
      summary="One model's metrics, classes, artifacts and the datasets it has labelled."
    />
  )
}
