import { describe, expect, it } from 'vitest'
import { parseUrlLines, urlImportResultOf } from './url-import'

describe('parseUrlLines', () => {
  it('takes one URL per line and keeps spaces inside a URL', () => {
    const text = ' https://example.com/shelf 1.jpg \r\n\nhttps://example.com/b.jpg\n   \n'
    expect(parseUrlLines(text)).toEqual(['https://example.com/shelf 1.jpg', 'https://example.com/b.jpg'])
  })
})

describe('urlImportResultOf', () => {
  it('reads the per-URL results of a finished job', () => {
    const result = {
      results: [{ filename: 'a.jpg', url: 'https://x/a.jpg', status: 'stored', image: null, error: null }],
      stored: 1,
      duplicate: 0,
      rejected: 0,
    }
    expect(urlImportResultOf({ result })?.stored).toBe(1)
  })

  it('is null while the job has no result, or another shape', () => {
    expect(urlImportResultOf({ result: null })).toBeNull()
    expect(urlImportResultOf({ result: { results: [] } })).toBeNull()
  })
})
