import { useParams } from 'react-router'
import { ComingSoon } from '@/components/coming-soon'

export function DatasetsPage() {
  return (
    <ComingSoon
      eyebrow="Object detection"
      title="Datasets"
      comingWith="the datasets issue"
      summary="Create detection datasets from library images, choose box or polygon labels, and follow each dataset's annotation progress and train/val/test split."
    />
  )
}

export function DatasetDetailPage() {
  const { id } = useParams()
  return (
    <ComingSoon
      eyebrow="Object detection · Datasets"
      title={`Dataset ${id ?? ''}`.trim()}
      comingWith="the datasets issue"
      summary="One dataset in tabs: overview, images, classes, versions and export to COCO, YOLO or Pascal VOC."
    />
  )
}
