/** What a class history entry changed, in words: only the fields whose value differs. */
import type { ClassChangeAction, JsonObject, JsonValue } from '@/lib/api'

export interface FieldChange {
  field: string
  label: string
  from: string
  to: string
}

const LABELS: Record<string, string> = {
  name: 'Name',
  display_name: 'Display name',
  color: 'Colour',
  category: 'Category',
  description: 'Description',
  aliases: 'Aliases',
  annotation_count: 'Annotations',
  merged_into_name: 'Merged into',
  merged_from: 'Merged from',
  annotations_moved: 'Annotations moved',
  images: 'Images',
}

// Ids say nothing to a reader; the name beside them does.
const HIDDEN = new Set(['id', 'merged_into'])

function fieldLabel(field: string): string {
  if (LABELS[field]) return LABELS[field]
  const words = field.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** A value in words: lists joined, objects by their name (or "key: value" pairs), never raw JSON. */
export function showValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null || value === '') return '—'
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map((v) => showValue(v)).join(', ')
  if (typeof value === 'object') {
    if (typeof value.name === 'string') return value.name
    const pairs = Object.entries(value).map(([k, v]) => `${fieldLabel(k).toLowerCase()}: ${showValue(v)}`)
    return pairs.length ? pairs.join(', ') : '—'
  }
  if (typeof value === 'number') return value.toLocaleString('en-US')
  return String(value)
}

function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

/** The fields a change touched, before → after. A create lists what it set, a delete what was lost
 * (its annotations), an edit or merge only the fields whose value differs. */
export function changedFields(action: ClassChangeAction, before: JsonObject | null, after: JsonObject | null): FieldChange[] {
  let keys: string[]
  if (!before) keys = Object.keys(after ?? {}).filter((k) => showValue(after?.[k]) !== '—')
  else if (!after || action === 'delete') keys = Object.keys(before).filter((k) => k === 'annotation_count')
  else keys = Object.keys(after).filter((k) => !same(before[k], after[k]))
  return keys
    .filter((k) => !HIDDEN.has(k))
    .map((field) => ({ field, label: fieldLabel(field), from: showValue(before?.[field]), to: showValue(after?.[field]) }))
}
