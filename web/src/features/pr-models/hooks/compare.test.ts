import { describe, expect, it } from 'vitest'
import type { PrModelComparison } from '@/lib/api'
import { makeJob } from '@/test/jobs'
import { chartRows, isBest, visualResult } from './compare'
import { formatValue, headline, metricLabel, percent } from './metrics'
import { modelsPollInterval } from './queries'

const COMPARISON: PrModelComparison = {
  models: [
    { id: 2, name: 'A', backbone: 'dinov2-small', embedding_dim: 128, test_metrics: null },
    { id: 3, name: 'B', backbone: 'dinov2-base', embedding_dim: 128, test_metrics: null },
  ],
  rows: [
    { metric: 'recall_at_1', values: { '2': 0.5, '3': 0.75 }, best: 3 },
    { metric: 'map_at_r', values: { '2': 0.4, '3': null }, best: 2 },
    { metric: 'queries', values: { '2': 12, '3': 12 }, best: null },
    { metric: 'recall_at_5', values: { '2': 1, '3': 1 }, best: 2 },
  ],
}

describe('comparison', () => {
  it('charts the share metrics only, one key per model, missing values as gaps', () => {
    expect(chartRows(COMPARISON)).toEqual([
      { metric: 'recall_at_1', label: 'Recall@1', m2: 0.5, m3: 0.75 },
      { metric: 'map_at_r', label: 'mAP@R', m2: 0.4, m3: null },
      { metric: 'recall_at_5', label: 'Recall@5', m2: 1, m3: 1 },
    ])
  })

  it('marks the model the server called best and any model tied with it; none where the server names none', () => {
    expect(isBest(COMPARISON.rows[0]!, 3)).toBe(true)
    expect(isBest(COMPARISON.rows[0]!, 2)).toBe(false)
    expect(isBest(COMPARISON.rows[1]!, 3)).toBe(false)
    expect(isBest(COMPARISON.rows[2]!, 2)).toBe(false)
    expect([2, 3].map((id) => isBest(COMPARISON.rows[3]!, id))).toEqual([true, true])
  })

  it('reads the visual comparison only from a succeeded job with the result shape', () => {
    const result = { models: [{ id: 2, name: 'A', metrics: null }], metric_names: [], queries: [] }
    expect(visualResult(makeJob({ status: 'succeeded', result }))).toEqual(result)
    expect(visualResult(makeJob({ status: 'running', result }))).toBeNull()
    expect(visualResult(makeJob({ status: 'succeeded', result: { other: 1 } }))).toBeNull()
    expect(visualResult(null)).toBeNull()
  })
})

describe('metric figures', () => {
  it('names and formats metrics: shares as percentages, counts as numbers', () => {
    expect(metricLabel('recall_at_10')).toBe('Recall@10')
    expect(metricLabel('skipped_queries')).toBe('skipped queries')
    expect(formatValue('recall_at_1', 0.8333)).toBe('83.3%')
    expect(formatValue('queries', 12)).toBe('12')
    expect(formatValue('map_at_r', null)).toBe('—')
    expect(percent(1, 0)).toBe('100%')
    expect(headline({ recall_at_1: 0.5, map_at_r: Number.NaN }).map((h) => h.value)).toEqual([0.5, null, null, null])
  })

  it('polls the models while one is still being evaluated', () => {
    expect(modelsPollInterval([{ status: 'ready' }, { status: 'evaluating' }])).toBe(3000)
    expect(modelsPollInterval([{ status: 'ready' }])).toBe(false)
  })
})
