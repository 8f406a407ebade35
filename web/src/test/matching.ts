/** API answers the embeddings and matching page tests start from (GET shapes of issue 15's contract). */
import type { Cutout, EmbedModel, EmbeddingCollection, MatchCandidate, MatchQueueItem, ShelfBox } from '@/lib/api'

export function embedModel(overrides: Partial<EmbedModel> = {}): EmbedModel {
  return { kind: 'stock', trained_model_id: null, backbone: 'dinov2-small', name: 'DINOv2 small', dim: 384, installed: true, test_metrics: null, collection_id: null, ...overrides }
}

export function collection(id: number, overrides: Partial<EmbeddingCollection> = {}): EmbeddingCollection {
  return {
    id,
    name: `model-${id}`,
    model_kind: 'trained',
    trained_model_id: id,
    model_name: `Model ${id}`,
    backbone: 'dinov2-small',
    dim: 128,
    metric: 'cosine',
    vector_count: 130,
    by_kind: { product_image: 120, cutout: 10 },
    by_domain: { synthetic: 10, real: 110, augmented: 0, cutout: 0 },
    size_bytes: 66_560,
    last_job_id: 40,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    ...overrides,
  }
}

export function cutout(id: number, overrides: Partial<Cutout> = {}): Cutout {
  return {
    id,
    image_id: 7,
    dataset_id: 3,
    annotation_id: 100 + id,
    class_id: 1,
    class_name: 'product',
    source: 'annotations',
    model: null,
    confidence: null,
    box: { x1: 20 + id * 10, y1: 40, x2: 196 + id * 10, y2: 216 },
    margin: 0,
    width: 176,
    height: 176,
    state: 'unmatched',
    product_id: null,
    product: null,
    image: { id: 7, width: 1200, height: 520, filename: 'shelf_1.jpg', thumbnail_url: '/thumb/7', file_url: '/file/7' },
    crop_url: `/crop/${id}`,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    ...overrides,
  }
}

export function candidate(rank: number, productId: number, similarity: number): MatchCandidate {
  return { rank, similarity, product: { id: productId, sku: `SKU-${productId}`, name: `Product ${productId}`, brand: 'Arla', category: 'Milk' }, packshot_url: `/packshot/${productId}` }
}

/** A cutout with five candidates: products base+1 … base+5 at falling similarity. */
export function queueItem(id: number, base = 10 * id): MatchQueueItem {
  return { cutout: cutout(id), candidates: [1, 2, 3, 4, 5].map((rank) => candidate(rank, base + rank, 0.99 - rank * 0.05)) }
}

export function shelfBox(cutoutId: number, overrides: Partial<ShelfBox> = {}): ShelfBox {
  return { cutout_id: cutoutId, box: { x1: 10, y1: 10, x2: 100, y2: 100 }, state: 'unmatched', product: null, predicted: null, ...overrides }
}
