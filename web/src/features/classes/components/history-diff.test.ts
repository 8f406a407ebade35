import { describe, expect, it } from 'vitest'
import { changedFields } from './history-diff'

const snapshot = {
  id: 7,
  name: 'cola',
  display_name: 'Cola',
  color: '#ff0000',
  category: null,
  description: '',
  aliases: ['coke'],
}

describe('changedFields', () => {
  it('lists only the fields an edit changed', () => {
    const fields = changedFields('update', snapshot, { ...snapshot, color: '#00ff00' })
    expect(fields).toEqual([{ field: 'color', label: 'Colour', from: '#ff0000', to: '#00ff00' }])
  })

  it('lists what a create set, without ids or empty fields', () => {
    const fields = changedFields('create', null, snapshot)
    expect(fields.map((f) => f.label)).toEqual(['Name', 'Display name', 'Colour', 'Aliases'])
    expect(fields.find((f) => f.field === 'aliases')?.to).toBe('coke')
  })

  it('shows a merge without raw JSON: the classes merged by name and the changed counts', () => {
    const before = { ...snapshot, annotation_count: 10 }
    const after = {
      ...snapshot,
      annotation_count: 15,
      merged_from: [{ id: 8, name: 'coke', annotations: 5 }],
      annotations_moved: 5,
    }
    const fields = changedFields('merge', before, after)
    expect(fields.map((f) => [f.label, f.from, f.to])).toEqual([
      ['Annotations', '10', '15'],
      ['Merged from', '—', 'coke'],
      ['Annotations moved', '—', '5'],
    ])
    expect(fields.every((f) => !f.from.includes('{') && !f.to.includes('{'))).toBe(true)
  })

  it('shows a merged-away class as merged into the target, and a delete by the annotations it took', () => {
    expect(changedFields('merge', { ...snapshot }, { merged_into: 9, merged_into_name: 'cola' })).toEqual([
      { field: 'merged_into_name', label: 'Merged into', from: '—', to: 'cola' },
    ])
    expect(changedFields('delete', { ...snapshot, annotation_count: 3 }, null)).toEqual([
      { field: 'annotation_count', label: 'Annotations', from: '3', to: '—' },
    ])
  })
})
