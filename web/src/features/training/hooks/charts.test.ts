import { describe, expect, it } from 'vitest'
import type { EpochRow, StepRow } from '@/lib/api'
import { datasetLabel, epochLabel, epochPoints, formatEta, formatMetric, hasValues, stepAxis, stepPoints } from './charts'

function row(epoch: number, map50: number | null, train_loss = 1 / epoch): EpochRow {
  return { epoch, train_loss, val_loss: null, map50, map50_95: map50 === null ? null : map50 / 2, learning_rate: 1e-4, seconds: 3 }
}

describe('epochPoints', () => {
  it('orders epochs and keeps the last report of an epoch a resumed run repeated', () => {
    const points = epochPoints([row(2, 0.2), row(1, 0.1), row(2, 0.25)])
    expect(points.map((p) => [p.epoch, p.map50])).toEqual([
      [1, 0.1],
      [2, 0.25],
    ])
  })

  it('turns NaN and missing values into gaps', () => {
    const [point] = epochPoints([{ ...row(1, Number.NaN), val_loss: Number.POSITIVE_INFINITY }])
    expect(point).toMatchObject({ map50: null, val_loss: null, train_loss: 1 })
    expect(hasValues(epochPoints([row(1, null)]), ['map50', 'map50_95'])).toBe(false)
    expect(hasValues(epochPoints([row(1, 0.3)]), ['map50'])).toBe(true)
  })
})

describe('stepPoints', () => {
  /** Steps as the API numbers them: across the run, from 1. */
  function steps(epochs: number, perEpoch: number, acrossRun = true): StepRow[] {
    const out: StepRow[] = []
    for (let e = 1; e <= epochs; e++)
      for (let s = 1; s <= perEpoch; s++)
        out.push({ epoch: e, step: acrossRun ? (e - 1) * perEpoch + s : s, loss: e * 10 + s, lr: null, at: '' })
    return out
  }

  it('puts steps counted across the run on a fractional-epoch axis', () => {
    expect(stepPoints(steps(2, 2))).toEqual([
      { x: 0.5, loss: 11 },
      { x: 1, loss: 12 },
      { x: 1.5, loss: 21 },
      { x: 2, loss: 22 },
    ])
  })

  it('reads steps that restart each epoch the same way', () => {
    expect(stepPoints(steps(2, 2, false)).map((p) => p.x)).toEqual([0.5, 1, 1.5, 2])
  })

  it('places a running second epoch by the first epoch\'s length', () => {
    const partial = [...steps(1, 4), { epoch: 2, step: 6, loss: 1, lr: null, at: '' }]
    expect(stepAxis(partial)({ epoch: 2, step: 6 })).toBe(1.5)
  })

  it('averages a long run into at most maxPoints buckets', () => {
    const points = stepPoints(steps(10, 100), 50)
    expect(points.length).toBeLessThanOrEqual(50)
    expect(points[0]).toEqual({ x: expect.closeTo(0.105, 3), loss: expect.closeTo(20.5, 5) })
    expect(points.every((p, i) => i === 0 || p.x > (points[i - 1]?.x ?? 0))).toBe(true)
  })

  it('leaves out steps without a loss, and is empty without steps', () => {
    expect(stepPoints([{ epoch: 1, step: 1, loss: null, lr: null, at: '' }])).toEqual([])
    expect(stepPoints([])).toEqual([])
  })
})

describe('figures', () => {
  it('formats the ETA and metrics', () => {
    expect(formatEta(null)).toBeNull()
    expect(formatEta(0.3)).toBe('under a second')
    expect(formatEta(42.4)).toBe('42s')
    expect(formatEta(200)).toBe('3m 20s')
    expect(formatEta(3840)).toBe('1h 4m')
    expect(formatMetric(0.73449)).toBe('0.734')
    expect(formatMetric(null)).toBe('—')
  })

  it('labels the epoch counter by state', () => {
    expect(epochLabel({ status: 'queued', current_epoch: 0, total_epochs: 5 })).toBe('Waiting for a worker')
    expect(epochLabel({ status: 'running', current_epoch: 0, total_epochs: 5 })).toBe('Preparing · 5 epochs')
    expect(epochLabel({ status: 'running', current_epoch: 3, total_epochs: 5 })).toBe('Epoch 3 / 5')
  })
})

describe('datasetLabel', () => {
  it('names the dataset and version, or says it was deleted', () => {
    expect(datasetLabel({ dataset_name: 'Shelves', version_number: 3 })).toBe('Shelves v3')
    expect(datasetLabel({ dataset_name: null, version_number: null })).toBe('Deleted dataset')
  })
})
