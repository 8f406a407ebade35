import { describe, expect, it } from 'vitest'
import type { ModelComparison, TrainedModel } from '@/lib/api'
import { parseCompareIds, perClassRows, summaryRows, toggleCompare } from './compare'

function model(id: number, map50_95: number | null, perClass: [number, number][] = []): TrainedModel {
  return {
    id,
    name: `m${id}`,
    description: '',
    architecture: 'rfdetr-nano',
    family: 'rfdetr',
    training_run_id: null,
    dataset_id: 1,
    dataset_name: 'shelves',
    dataset_version_id: 1,
    input_size: 384,
    classes: [],
    metrics:
      map50_95 === null
        ? null
        : {
            map50: map50_95 + 0.2,
            map50_95,
            precision: 0.5,
            recall: null,
            per_class: perClass.map(([class_id, ap]) => ({ class_id, name: `c${class_id}`, ap50: ap, ap50_95: ap, precision: null, recall: null })),
          },
    artifact_size: null,
    is_active: true,
    is_default: false,
    onnx: null,
    created_by: null,
    created_at: '',
    updated_at: '',
  }
}

describe('compare ids', () => {
  it('parses the query text, dropping junk and repeats, five at most', () => {
    expect(parseCompareIds('3,1,3,x,-2,0')).toEqual([3, 1])
    expect(parseCompareIds('1,2,3,4,5,6')).toEqual([1, 2, 3, 4, 5])
    expect(parseCompareIds(null)).toEqual([])
  })

  it('toggles a model in and out, never past five', () => {
    expect(toggleCompare([1, 2], 2)).toEqual([1])
    expect(toggleCompare([1], 2)).toEqual([1, 2])
    expect(toggleCompare([1, 2, 3, 4, 5], 6)).toEqual([1, 2, 3, 4, 5])
  })
})

describe('compare rows', () => {
  it('marks the best model per metric, ties shared, missing values not counted', () => {
    const rows = summaryRows([model(1, 0.4), model(2, 0.6), model(3, null)])
    const map = rows.find((r) => r.key === 'map50_95')
    expect(map?.values).toEqual([0.4, 0.6, null])
    expect(map?.best).toEqual([1])
    expect(rows.find((r) => r.key === 'precision')?.best).toEqual([0, 1])
    expect(rows.find((r) => r.key === 'recall')?.best).toEqual([])
  })

  it('matches per-class AP by class id across models', () => {
    const comparison: ModelComparison = {
      models: [model(1, 0.4, [[10, 0.2], [11, 0.7]]), model(2, 0.5, [[10, 0.3]])],
      classes: [
        { class_id: 10, name: 'cola' },
        { class_id: 11, name: 'fanta' },
      ],
    }
    expect(perClassRows(comparison)).toEqual([
      { key: 'class-10', label: 'cola', values: [0.2, 0.3], best: [1] },
      { key: 'class-11', label: 'fanta', values: [0.7, null], best: [0] },
    ])
  })

  it("prefers the server's AP per model id, keyed as JSON keys are", () => {
    const comparison: ModelComparison = {
      models: [model(1, 0.4, [[10, 0.2]]), model(2, 0.5)],
      classes: [{ class_id: 10, name: 'cola', ap50: { '1': 0.5, '2': null }, ap50_95: { '1': 0.25, '2': null } }],
    }
    expect(perClassRows(comparison)[0]?.values).toEqual([0.25, null])
  })

  it('falls back to the model\'s own rows, matched through the class mapping when they name only an index', () => {
    const indexed = { ...model(2, 0.5), classes: [{ index: 0, class_id: 10, name: 'cola' }] }
    indexed.metrics = { ...indexed.metrics, per_class: [{ index: 0, name: 'cola', ap50: 0.6, ap50_95: 0.35, precision: null, recall: null }] }
    const comparison: ModelComparison = {
      models: [model(1, 0.4, [[10, 0.2]]), indexed],
      classes: [{ class_id: 10, name: 'cola', ap50: { '1': null, '2': null }, ap50_95: { '1': null, '2': null } }],
    }
    expect(perClassRows(comparison)[0]?.values).toEqual([0.2, 0.35])
  })

  it('a model registered without test metrics has no values', () => {
    const bare = { ...model(3, null), metrics: {} }
    expect(summaryRows([bare, model(1, 0.4)]).find((r) => r.key === 'map50_95')?.values).toEqual([null, 0.4])
  })
})
