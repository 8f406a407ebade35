import { describe, expect, it } from 'vitest'
import { startBatch, summarize, type UploadItem } from './upload-queue'

function item(status: UploadItem['status'], size: number, progress = 0): UploadItem {
  return { key: `${status}-${size}`, name: 'a.jpg', size, status, progress, image: null, reason: null }
}

describe('upload summary', () => {
  it('counts each outcome and weighs progress by bytes', () => {
    const summary = summarize([
      item('stored', 300),
      item('duplicate', 100),
      item('rejected', 100),
      item('uploading', 400, 0.5),
      item('queued', 100),
    ])
    expect(summary).toMatchObject({ total: 5, done: 3, stored: 1, duplicate: 1, rejected: 1, failed: 0 })
    expect(summary.progress).toBeCloseTo((300 + 100 + 100 + 200) / 1000)
  })

  it('is complete when every file has an answer, empty files included', () => {
    expect(summarize([item('failed', 0)])).toMatchObject({ done: 1, failed: 1, progress: 1 })
    expect(summarize([])).toMatchObject({ total: 0, progress: 0 })
  })
})

describe('upload batches', () => {
  it('starts a new batch once the last one finished, so the summary counts only it', () => {
    const first = [item('stored', 1), item('duplicate', 2)]
    const second = [item('queued', 3)]
    const list = startBatch(first, second)
    expect(list).toEqual(second)
    expect(summarize(list)).toMatchObject({ total: 1, stored: 0, duplicate: 0 })
  })

  it('adds files dropped while a batch still uploads to that batch', () => {
    const running = [item('stored', 1), item('uploading', 2, 0.5)]
    expect(startBatch(running, [item('queued', 3)])).toHaveLength(3)
  })
})
