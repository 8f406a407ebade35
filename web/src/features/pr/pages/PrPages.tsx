/** The product-recognition pages still to come (training, embeddings, matching: later issues). */
import { ComingSoon } from '@/components/coming-soon'

const EYEBROW = 'Product recognition'
const COMING = 'product recognition'

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
