/** How a shelf view draws each box: matched solid with its SKU, predicted dashed with SKU and similarity, the rest faint. */
import type { ShelfBox } from '@/lib/api'
import { similarityText } from './keys'

export type BoxKind = 'matched' | 'predicted' | 'rejected' | 'unknown'

export interface BoxLabel {
  kind: BoxKind
  sku: string | null
  text: string
}

export function boxLabel(box: ShelfBox): BoxLabel {
  if (box.state === 'matched' && box.product) return { kind: 'matched', sku: box.product.sku, text: box.product.sku }
  if (box.state === 'rejected') return { kind: 'rejected', sku: null, text: 'rejected' }
  if (box.predicted) return { kind: 'predicted', sku: box.predicted.product.sku, text: `${box.predicted.product.sku} · ${similarityText(box.predicted.similarity)}` }
  return { kind: 'unknown', sku: null, text: '?' }
}

/** Boxes by kind, for the legend. */
export function countKinds(boxes: readonly ShelfBox[]): Record<BoxKind, number> {
  const out: Record<BoxKind, number> = { matched: 0, predicted: 0, rejected: 0, unknown: 0 }
  for (const b of boxes) out[boxLabel(b).kind]++
  return out
}
