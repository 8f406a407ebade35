import { describe, expect, it } from 'vitest'
import { prRun } from '@/test/pr-training'
import { batchLabel, bestRecall, dataLabel, formatLr, formatShare, historyPoints } from './charts'

describe('historyPoints', () => {
  it('orders epochs, keeps the later report of a repeated epoch and turns bad values into gaps', () => {
    const points = historyPoints([
      { epoch: 2, loss: 2, val_recall_at_1: 0.4 },
      { epoch: 1, loss: Number.NaN, lr: Number.POSITIVE_INFINITY },
      { epoch: 2, loss: 1.5, val_recall_at_1: 0.6 },
    ])
    expect(points.map((p) => [p.epoch, p.loss, p.val_recall_at_1, p.lr])).toEqual([
      [1, null, null, null],
      [2, 1.5, 0.6, null],
    ])
    expect(historyPoints(null)).toEqual([])
  })
})

describe('run figures', () => {
  it('formats shares and learning rates', () => {
    expect(formatShare(0.8333)).toBe('83.3%')
    expect(formatShare(null)).toBe('—')
    expect(formatLr(1e-4)).toBe('1e-4')
    expect(formatLr(3.2e-5)).toBe('3.2e-5')
    expect(formatLr(0)).toBe('0')
    expect(formatLr(undefined)).toBe('—')
  })

  it('reads the best Recall@1, the batch counter and the data in words', () => {
    expect(bestRecall(prRun())).toBe(0.75)
    expect(bestRecall(prRun({ best_metrics: null }))).toBeNull()
    expect(batchLabel(prRun({ status: 'running', current_batch: 2, total_batches: 3 }))).toBe('batch 2 / 3')
    expect(batchLabel(prRun())).toBeNull()
    expect(dataLabel(prRun())).toBe('All products · 10 products · 120 images')
    expect(dataLabel(prRun({ data_summary: {} }))).toBe('All products')
    const fromDataset = prRun().data_config
    expect(dataLabel(prRun({ data_config: { ...fromDataset, source: 'dataset', dataset_id: 4 } }))).toBe('Dataset #4 · 10 products · 120 images')
  })
})
