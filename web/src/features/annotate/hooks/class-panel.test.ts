import { describe, expect, it } from 'vitest'
import type { LabelSetClass } from '@/lib/api'
import { bestMatch, buildPanel, classForKey, initialClass, recallClass, rememberClass, searchPanel, type CatalogueClass } from './class-panel'

const cat = (id: number, name: string, display_name = ''): CatalogueClass => ({ id, name, display_name, color: `#0000${String(id).padStart(2, '0')}` })
const member = (c: CatalogueClass, listed = true): LabelSetClass => ({
  ...c,
  category: null,
  key: null,
  listed,
  annotation_count: 0,
})

// The catalogue comes alphabetically from the API.
const CATALOGUE = [cat(5, 'apple'), cat(3, 'bottle'), cat(7, 'can'), cat(1, 'raccoon'), cat(9, 'water', 'Still water')]

function memoryStore(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) }
}

describe('buildPanel', () => {
  it('gives keys to the label set in its order and lists the rest of the catalogue after it, unkeyed', () => {
    const panel = buildPanel([member(cat(7, 'can')), member(cat(3, 'bottle')), member(cat(9, 'water', 'Still water'), false)], CATALOGUE)
    expect(panel.ready).toBe(true)
    expect(panel.set.map((c) => [c.name, c.key])).toEqual([
      ['can', 1],
      ['bottle', 2],
      ['Still water', 3],
    ])
    expect(panel.others.map((c) => [c.name, c.key])).toEqual([
      ['apple', null],
      ['raccoon', null],
    ])
    expect(panel.all.map((c) => c.id)).toEqual([7, 3, 9, 5, 1])
    expect(classForKey(panel, 0)?.name).toBe('can')
    expect(classForKey(panel, 2)?.id).toBe(9)
    expect(classForKey(panel, 3)).toBeUndefined()
  })

  it('gives key 1 to the only class of a one-class dataset (the raccoon case)', () => {
    const panel = buildPanel([member(cat(1, 'raccoon'), false)], CATALOGUE)
    expect(panel.keyed.map((c) => c.name)).toEqual(['raccoon'])
    expect(classForKey(panel, 0)?.id).toBe(1)
    expect(classForKey(panel, 1)).toBeUndefined()
  })

  it('keys the catalogue while the dataset has no label set yet', () => {
    const panel = buildPanel([], CATALOGUE)
    expect(panel.set).toEqual([])
    expect(panel.keyed.map((c) => c.id)).toEqual([5, 3, 7, 1, 9])
  })

  it('keys only the first nine', () => {
    const many = Array.from({ length: 12 }, (_, i) => cat(100 + i, `c${i}`))
    const panel = buildPanel(many.map((c) => member(c)), many)
    expect(panel.set.map((c) => c.key)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, null, null, null])
    expect(panel.keyed).toHaveLength(9)
  })

  it('is not ready until both the label set and the catalogue are there', () => {
    expect(buildPanel(undefined, CATALOGUE).ready).toBe(false)
    expect(buildPanel([], undefined).ready).toBe(false)
    expect(buildPanel(undefined, CATALOGUE, true).keyed).toHaveLength(5)
  })
})

describe('search and Enter', () => {
  const panel = buildPanel([member(cat(7, 'can')), member(cat(3, 'bottle'))], [...CATALOGUE, cat(11, 'Canned beans'), cat(12, 'Pecan')])

  it('finds classes in the set and in the rest, case-insensitively', () => {
    const found = searchPanel(panel, ' CAN ')
    expect(found.set.map((c) => c.name)).toEqual(['can'])
    expect(found.others.map((c) => c.name)).toEqual(['Canned beans', 'Pecan'])
    expect(searchPanel(panel, 'still').others.map((c) => c.id)).toEqual([9])
  })

  it('picks an exact name first, then a name starting with the query, then the first match', () => {
    expect(bestMatch(panel, 'can')?.id).toBe(7)
    expect(bestMatch(panel, 'canned')?.id).toBe(11)
    expect(bestMatch(panel, 'ecan')?.id).toBe(12)
    expect(bestMatch(panel, 'ottl')?.id).toBe(3)
    expect(bestMatch(panel, 'zzz')).toBeUndefined()
    expect(bestMatch(panel, '   ')).toBeUndefined()
  })
})

describe('the last class used', () => {
  it('is remembered per dataset', () => {
    const store = memoryStore()
    rememberClass(4, 7, store)
    rememberClass(5, 3, store)
    expect(recallClass(4, store)).toBe(7)
    expect(recallClass(5, store)).toBe(3)
    expect(recallClass(6, store)).toBeNull()
    store.data.set('shelfscope:last-class:6', 'not a number')
    expect(recallClass(6, store)).toBeNull()
  })

  it('survives storage that throws', () => {
    const broken = { getItem: () => { throw new Error('denied') }, setItem: () => { throw new Error('full') } }
    expect(() => rememberClass(1, 2, broken)).not.toThrow()
    expect(recallClass(1, broken)).toBeNull()
  })

  it('opens an image with the remembered class while it exists, else the first of the set', () => {
    const panel = buildPanel([member(cat(7, 'can')), member(cat(3, 'bottle'))], CATALOGUE)
    expect(initialClass(panel, 3)).toBe(3)
    expect(initialClass(panel, 1)).toBe(1) // in the catalogue, outside the set: still usable
    expect(initialClass(panel, 99)).toBe(7)
    expect(initialClass(panel, null)).toBe(7)
    expect(initialClass(buildPanel([], []), null)).toBeNull()
  })
})
