import { describe, expect, it } from 'vitest'
import { countOf, formatBytes, formatCount, formatDuration, formatPercent, formatRelative, plural } from './format'

describe('format', () => {
  it('formats counts and percentages', () => {
    expect(formatCount(12345)).toBe('12,345')
    expect(formatPercent(0.456)).toBe('46%')
    expect(formatPercent(2)).toBe('100%')
  })

  it('formats byte counts', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB')
    expect(formatBytes(3 * 1024 * 1024 * 1024)).toBe('3.00 GB')
  })

  it('formats durations between timestamps', () => {
    expect(formatDuration('2025-01-01T00:00:00Z', '2025-01-01T00:00:02.5Z')).toBe('2.5s')
    expect(formatDuration('2025-01-01T00:00:00Z', '2025-01-01T00:03:05Z')).toBe('3m 5s')
    expect(formatDuration(null, null)).toBe('—')
  })

  it('formats relative times', () => {
    const now = Date.parse('2025-01-01T01:00:00Z')
    expect(formatRelative('2025-01-01T00:59:58Z', now)).toBe('just now')
    expect(formatRelative('2025-01-01T00:30:00Z', now)).toBe('30m ago')
  })
})

describe('countOf', () => {
  it('says "1 box", not "1 boxes"', () => {
    expect(countOf(1, 'box', 'boxes')).toBe('1 box')
    expect(countOf(0, 'box', 'boxes')).toBe('0 boxes')
    expect(countOf(1, 'annotation')).toBe('1 annotation')
    expect(countOf(1200, 'image')).toBe('1,200 images')
    expect(plural(2, 'box', 'boxes')).toBe('boxes')
  })
})
