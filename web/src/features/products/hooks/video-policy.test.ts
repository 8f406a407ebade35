import { describe, expect, it } from 'vitest'
import { framePolicyError } from './video-policy'

describe('frame policy', () => {
  it('checks what each mode uses, like the API', () => {
    expect(framePolicyError('interval', 1, 50)).toBeNull()
    expect(framePolicyError('interval', 0, 50)).toMatch(/above 0/)
    expect(framePolicyError('key_frames', 0, 1000)).toBeNull()
    expect(framePolicyError('key_frames', 1, 1001)).toMatch(/1,000/)
    expect(framePolicyError('first', 0, 0)).toBeNull()
  })
})
