/** The product-recognition pages still to come (embeddings and matching: issue 15). */
import { ComingSoon } from '@/components/coming-soon'

const EYEBROW = 'Product recognition'
const COMING = 'issue 15 (embeddings and matching)'

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
