import { describe, expect, it } from 'vitest'
import { prCheckpoint } from '@/test/pr-training'
import { latestCheckpoint, newTotalError, remainingEpochs } from './resume'

describe('resume', () => {
  it('starts from the latest checkpoint unless one is picked', () => {
    expect(latestCheckpoint([prCheckpoint(2), prCheckpoint(4), prCheckpoint(3)])?.epoch).toBe(4)
    expect(latestCheckpoint([])).toBeNull()
  })

  it('computes the remaining epochs from the total (or a new one) minus the checkpoint epoch', () => {
    expect(remainingEpochs(10, 4, '')).toBe(6)
    expect(remainingEpochs(10, 4, '20')).toBe(16)
    expect(remainingEpochs(10, 10, '')).toBe(0)
    expect(remainingEpochs(10, null, '')).toBe(10)
  })

  it('refuses a new total that is not above the checkpoint', () => {
    expect(newTotalError('', 4)).toBeNull()
    expect(newTotalError('4', 4)).toBe("More than the checkpoint's 4 epochs.")
    expect(newTotalError('2.5', 1)).toBe('A whole number from 1 to 1000.')
    expect(newTotalError('12', 4)).toBeNull()
  })
})
