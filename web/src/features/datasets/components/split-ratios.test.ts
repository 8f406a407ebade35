import { describe, expect, it } from 'vitest'
import { parseRatios } from './split-ratios'

describe('parseRatios', () => {
  it('accepts ratios that add up to 1, floating-point noise included', () => {
    expect(parseRatios({ train: '0.7', val: '0.2', test: '0.1' })).toEqual({ ratios: { train: 0.7, val: 0.2, test: 0.1 } })
    expect(parseRatios({ train: '0.6', val: '0.3', test: '0.1' })).toHaveProperty('ratios')
    expect(parseRatios({ train: '1', val: '0', test: '0' })).toHaveProperty('ratios')
  })

  it('refuses ratios that do not add up to 1 and says the sum', () => {
    expect(parseRatios({ train: '0.7', val: '0.2', test: '0.2' })).toEqual({
      error: 'Train + val + test must add up to 1 (now 1.1).',
    })
  })

  it('refuses blanks, non-numbers and ratios outside 0..1', () => {
    expect(parseRatios({ train: '', val: '0.5', test: '0.5' })).toEqual({ error: 'The train ratio must be a number.' })
    expect(parseRatios({ train: '0.5', val: 'x', test: '0.5' })).toEqual({ error: 'The val ratio must be a number.' })
    expect(parseRatios({ train: '1.5', val: '-0.5', test: '0' })).toEqual({ error: 'The train ratio must be between 0 and 1.' })
  })
})
