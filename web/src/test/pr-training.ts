import { vi } from 'vitest'
import type { PrBackbone, PrCheckpoint, PrEvaluation, PrModel, PrTrainingRun } from '@/lib/api'
import { DEFAULT_CONFIG } from '@/features/pr-training/hooks/run-form'

/** A finished two-epoch run as GET /pr/training/{id} returns it; tests override what they need. */
export function prRun(overrides: Partial<PrTrainingRun> = {}): PrTrainingRun {
  return {
    id: 5,
    name: 'Dairy run',
    backbone: 'dinov2-small',
    pretrained: true,
    status: 'succeeded',
    config: { ...DEFAULT_CONFIG, epochs: 2 },
    data_config: {
      source: 'all_products',
      dataset_id: null,
      domains: ['synthetic', 'real'],
      frames: { mode: 'all', every: 5 },
      min_images_per_product: 2,
      split: { train: 0.7, val: 0.15, test: 0.15 },
      seed: 0,
    },
    dataset_id: null,
    created_by: 1,
    data_summary: {
      train: { products: 7, images: 84, domains: { synthetic: 7, real: 77 } },
      val: { products: 2, images: 24, domains: { synthetic: 2, real: 22 } },
      test: { products: 1, images: 12, domains: { synthetic: 1, real: 11 } },
      skipped: [],
    },
    current_epoch: 2,
    total_epochs: 2,
    current_batch: 0,
    total_batches: 3,
    progress: 1,
    best_epoch: 2,
    best_metrics: { val_recall_at_1: 0.75, val_map_at_r: 0.5 },
    metrics_history: [
      { epoch: 1, loss: 3, loss_arcface: 2.5, loss_triplet: 0.5, loss_domain: 0, lr: 1e-4, backbone_lr: 1e-5, val_recall_at_1: 0.5, val_recall_at_5: 0.9, val_map_at_r: 0.4, seconds: 2, images_per_second: 40, mixed_precision: 0 },
      { epoch: 2, loss: 2, loss_arcface: 1.7, loss_triplet: 0.3, loss_domain: 0, lr: 5e-5, backbone_lr: 5e-6, val_recall_at_1: 0.75, val_recall_at_5: 1, val_map_at_r: 0.5, seconds: 2, images_per_second: 42, mixed_precision: 0 },
    ],
    error: null,
    job_id: 31,
    created_at: '2025-01-01T00:00:00Z',
    started_at: '2025-01-01T00:00:01Z',
    finished_at: '2025-01-01T00:00:09Z',
    model_count: 0,
    ...overrides,
  }
}

export function prBackbone(key: string, overrides: Partial<PrBackbone> = {}): PrBackbone {
  return { key, title: key.toUpperCase(), family: key.split('-')[0] ?? key, size_mb: 88, licence: 'Apache-2.0', gated: false, installed: false, token_set: false, note: '', ...overrides }
}

export function prCheckpoint(epoch: number, overrides: Partial<PrCheckpoint> = {}): PrCheckpoint {
  return {
    id: 100 + epoch,
    run_id: 5,
    epoch,
    size_bytes: 2_400_000,
    metrics: { val_recall_at_1: 0.5 + epoch / 10, val_recall_at_5: 0.9, val_map_at_r: 0.4 },
    is_best: false,
    created_at: '2025-01-01T00:00:05Z',
    model_ids: [],
    ...overrides,
  }
}

export function prEvaluation(overrides: Partial<PrEvaluation> = {}): PrEvaluation {
  return {
    id: 9,
    run_id: 5,
    checkpoint_id: 102,
    epoch: 2,
    split: 'test',
    job_id: 31,
    status: 'succeeded',
    metrics: { recall_at_1: 0.75, recall_at_5: 1, recall_at_10: 1, map_at_r: 0.6, queries: 12 },
    report: {
      overall: { recall_at_1: 0.75, recall_at_5: 1, recall_at_10: 1, map_at_r: 0.6, queries: 12 },
      cross_domain: [
        { query_domain: 'real', gallery_domain: 'synthetic', recall_at_1: 0.5, recall_at_5: 1, recall_at_10: 1, map_at_r: 0.5, queries: 11 },
        { query_domain: 'synthetic', gallery_domain: 'real', recall_at_1: 1, recall_at_5: 1, recall_at_10: 1, map_at_r: 0.8, queries: 1 },
      ],
      per_category: [{ category: 'Milk', recall_at_1: 0.75, recall_at_5: 1, recall_at_10: 1, map_at_r: 0.6, queries: 12 }],
      hard_cases: [
        {
          image_id: 501,
          product_id: 3,
          domain: 'real',
          first_correct_rank: 2,
          neighbours: [
            { image_id: 601, product_id: 4, score: 0.91 },
            { image_id: 502, product_id: 3, score: 0.88 },
          ],
        },
      ],
      confused_pairs: [{ product_a: 3, product_b: 4, count: 2 }],
    },
    error: null,
    created_at: '2025-01-01T00:00:10Z',
    ...overrides,
  }
}

export function prModel(id: number, overrides: Partial<PrModel> = {}): PrModel {
  return {
    id,
    name: `Model ${id}`,
    description: '',
    run_id: 5,
    run_name: 'Dairy run',
    checkpoint_id: 102,
    epoch: 2,
    backbone: 'dinov2-small',
    embedding_dim: 128,
    image_size: 56,
    preprocessing: { resize: 'pad_square', image_size: 56 },
    test_metrics: { recall_at_1: 0.5 + id / 10, recall_at_5: 0.9, recall_at_10: 1, map_at_r: 0.4 },
    evaluation_id: 9,
    size_bytes: 1_200_000,
    status: 'ready',
    created_by: 1,
    created_at: '2025-01-01T00:00:20Z',
    updated_at: '2025-01-01T00:00:20Z',
    ...overrides,
  }
}

class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

/** What jsdom lacks and Radix asks for: ResizeObserver (checkbox, charts) and pointer capture (select). */
export function stubBrowser(): void {
  vi.stubGlobal('ResizeObserver', NoResizeObserver)
  Element.prototype.hasPointerCapture ??= () => false
  Element.prototype.scrollIntoView ??= () => {}
}
