import { describe, expect, it } from 'vitest'
import { HitIndex } from './hit-index'

describe('HitIndex', () => {
  it('finds the boxes under a point and in a rectangle', () => {
    const index = new HitIndex({ width: 4000, height: 3000 })
    index.insert('a', { x1: 10, y1: 10, x2: 100, y2: 100 })
    index.insert('b', { x1: 50, y1: 50, x2: 200, y2: 200 })
    index.insert('c', { x1: 3000, y1: 2000, x2: 3100, y2: 2100 })
    expect(index.queryPoint({ x: 60, y: 60 }).sort()).toEqual(['a', 'b'])
    expect(index.queryPoint({ x: 150, y: 150 })).toEqual(['b'])
    expect(index.queryPoint({ x: 500, y: 500 })).toEqual([])
    expect(index.queryBox({ x1: 2900, y1: 1900, x2: 4000, y2: 3000 })).toEqual(['c'])
  })

  it('tolerance grows the hit area', () => {
    const index = new HitIndex({ width: 1000, height: 1000 })
    index.insert('a', { x1: 10, y1: 10, x2: 20, y2: 20 })
    expect(index.queryPoint({ x: 22, y: 15 })).toEqual([])
    expect(index.queryPoint({ x: 22, y: 15 }, 3)).toEqual(['a'])
  })

  it('follows updates and removals', () => {
    const index = new HitIndex({ width: 1000, height: 1000 })
    index.insert('a', { x1: 10, y1: 10, x2: 20, y2: 20 })
    index.update('a', { x1: 900, y1: 900, x2: 950, y2: 950 })
    expect(index.queryPoint({ x: 15, y: 15 })).toEqual([])
    expect(index.queryPoint({ x: 920, y: 920 })).toEqual(['a'])
    index.remove('a')
    expect(index.queryPoint({ x: 920, y: 920 })).toEqual([])
    expect(index.size).toBe(0)
  })

  it('answers a point query among 5,000 boxes by looking at few of them', () => {
    const index = new HitIndex({ width: 4000, height: 3000 })
    const cols = 82
    const cell = 4000 / cols
    for (let i = 0; i < 5000; i++) {
      const x = (i % cols) * cell
      const y = Math.floor(i / cols) * cell
      index.insert(`k${i}`, { x1: x, y1: y, x2: x + cell * 0.6, y2: y + cell * 0.6 })
    }
    const started = performance.now()
    for (let i = 0; i < 1000; i++) index.queryPoint({ x: 1000 + i, y: 1000 })
    expect(performance.now() - started).toBeLessThan(200)
    expect(index.queryPoint({ x: 1, y: 1 })).toEqual(['k0'])
  })
})
