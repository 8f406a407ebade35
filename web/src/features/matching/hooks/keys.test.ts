import { describe, expect, it } from 'vitest'
import { candidate, queueItem } from '@/test/matching'
import { candidateOfRank, indexAfterLeaving, matchAction, moveIndex, parseThreshold, visibleItems, type KeyLike } from './keys'

function key(k: string, overrides: Partial<KeyLike> = {}): KeyLike {
  return { key: k, altKey: false, ctrlKey: false, metaKey: false, target: document.body, ...overrides }
}

describe('matchAction', () => {
  it('maps 1–5 to a pick of that rank, R to reject, arrows and j/k to moves, / to search', () => {
    expect(['1', '2', '3', '4', '5'].map((k) => matchAction(key(k)))).toEqual([1, 2, 3, 4, 5].map((rank) => ({ type: 'pick', rank })))
    expect(matchAction(key('r'))).toEqual({ type: 'reject' })
    expect(matchAction(key('R'))).toEqual({ type: 'reject' })
    expect(['ArrowRight', 'ArrowDown', 'j'].map((k) => matchAction(key(k)))).toEqual(Array(3).fill({ type: 'move', delta: 1 }))
    expect(['ArrowLeft', 'ArrowUp', 'k'].map((k) => matchAction(key(k)))).toEqual(Array(3).fill({ type: 'move', delta: -1 }))
    expect(matchAction(key('/'))).toEqual({ type: 'search' })
  })

  it('ignores other keys, keys past 5, and shortcuts with a modifier held (Ctrl+R reloads)', () => {
    for (const k of ['6', '9', '0', 'a', 'Enter', ' ', 'Escape']) expect(matchAction(key(k))).toBeNull()
    expect(matchAction(key('r', { ctrlKey: true }))).toBeNull()
    expect(matchAction(key('1', { metaKey: true }))).toBeNull()
    expect(matchAction(key('ArrowLeft', { altKey: true }))).toBeNull()
  })

  it('leaves keys alone while the person types in a field or a dialog is open', () => {
    const input = document.createElement('input')
    const area = document.createElement('textarea')
    const editable = document.createElement('div')
    editable.setAttribute('contenteditable', 'true')
    const inner = document.createElement('span')
    editable.append(inner)
    for (const target of [input, area, inner]) expect(matchAction(key('1', { target }))).toBeNull()
    expect(matchAction(key('r'), { dialogOpen: true })).toBeNull()
    const button = document.createElement('button')
    expect(matchAction(key('r', { target: button }))).toEqual({ type: 'reject' })
  })

  it('leaves the arrows to a focused widget that moves with them (tabs, radio groups), but still takes the other keys there', () => {
    const tabs = document.createElement('div')
    tabs.setAttribute('role', 'tablist')
    const tab = document.createElement('button')
    tabs.append(tab)
    expect(matchAction(key('ArrowRight', { target: tab }))).toBeNull()
    expect(matchAction(key('1', { target: tab }))).toEqual({ type: 'pick', rank: 1 })
  })
})

describe('the queue cursor', () => {
  it('picks the candidate of the rank, else the one in that place, else nothing', () => {
    const ranked = [candidate(1, 11, 0.9), candidate(2, 12, 0.8)]
    expect(candidateOfRank(ranked, 2)?.product.id).toBe(12)
    expect(candidateOfRank([candidate(4, 14, 0.9)], 1)?.product.id).toBe(14)
    expect(candidateOfRank(ranked, 5)).toBeNull()
  })

  it('moves inside the queue and stays put at either end', () => {
    expect(moveIndex(0, -1, 3)).toBe(0)
    expect(moveIndex(0, 1, 3)).toBe(1)
    expect(moveIndex(2, 1, 3)).toBe(2)
    expect(moveIndex(5, 1, 0)).toBe(0)
  })

  it('hides what was decided here; the next item slides under the cursor, or the cursor steps back at the end', () => {
    const items = [queueItem(1), queueItem(2), queueItem(3)]
    const left = visibleItems(items, new Set([2]))
    expect(left.map((i) => i.cutout.id)).toEqual([1, 3])
    expect(indexAfterLeaving(1, left.length)).toBe(1)
    expect(indexAfterLeaving(2, left.length)).toBe(1)
    expect(indexAfterLeaving(0, 0)).toBe(0)
  })
})

describe('parseThreshold', () => {
  it('takes a number from 0 to 1 and nothing else', () => {
    expect(parseThreshold('0.95')).toBe(0.95)
    expect(parseThreshold('1')).toBe(1)
    for (const bad of ['', ' ', '1.01', '-0.1', 'abc']) expect(parseThreshold(bad)).toBeNull()
  })
})
