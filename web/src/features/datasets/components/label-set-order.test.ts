import { describe, expect, it } from 'vitest'
import { moveItem, sameOrder } from './label-set-order'

describe('label set order', () => {
  it('moves an item up, down, to either end, and ignores moves past the ends', () => {
    const list = ['a', 'b', 'c', 'd']
    expect(moveItem(list, 2, 1)).toEqual(['a', 'c', 'b', 'd'])
    expect(moveItem(list, 0, 1)).toEqual(['b', 'a', 'c', 'd'])
    expect(moveItem(list, 3, 0)).toEqual(['d', 'a', 'b', 'c'])
    expect(moveItem(list, 0, 99)).toEqual(['b', 'c', 'd', 'a'])
    expect(moveItem(list, 0, -1)).toEqual(list)
    expect(moveItem(list, 7, 0)).toEqual(list)
    expect(list).toEqual(['a', 'b', 'c', 'd'])
  })

  it('compares orders', () => {
    expect(sameOrder([1, 2], [1, 2])).toBe(true)
    expect(sameOrder([1, 2], [2, 1])).toBe(false)
    expect(sameOrder([1], [1, 2])).toBe(false)
  })
})
