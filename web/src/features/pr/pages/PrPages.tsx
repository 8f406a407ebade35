import { ComingSoon } from '@/components/coming-soon'

const EYEBROW = 'Product recognition'
const COMING = 'product recognition'

export function ProductsPage() {
  return (
    <ComingSoon
      eyebrow={EYEBROW}
      title="Products"
      comingWith={COMING}
      summary="The product catalogue: each product with its synthetic, real, augmented and cutout images."
    />
  )
}

export function PrDatasetsPage() {
  return (
    <ComingSoon
      eyebrow={EYEBROW}
      title="Product datasets"
      comingWith={COMING}
      summary="Group products and their images into datasets for training and evaluating embedding models."
    />
  )
}

export function PrTrainingPage() {
  return (
    <ComingSoon
      eyebrow={EYEBROW}
      title="Embedding training"
      comingWith={COMING}
      summary="Train embedding models with metric learning and evaluate them by retrieval accuracy."
    />
  )
}

export function EmbeddingsPage() {
  return (
    <ComingSoon
      eyebrow={EYEBROW}
      title="Embeddings"
      comingWith={COMING}
      summary="Compute and index product embeddings with a trained model, and browse nearest neighbours."
    />
  )
}

export function CutoutsPage() {
  return (
    <ComingSoon
      eyebrow={EYEBROW}
      title="Cutouts"
      comingWith={COMING}
      summary="Product crops cut from annotated shelf images, ready to be matched to the catalogue."
    />
  )
}

export function MatchingPage() {
  return (
    <ComingSoon
      eyebrow={EYEBROW}
      title="Matching"
      comingWith={COMING}
      summary="Match detected products to catalogue items by embedding search and review the matches."
    />
  )
}
