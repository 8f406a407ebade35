/**
 * An annotation's free-form attributes: equality for the change set, the checks a key and a
 * value must pass, and the undoable edits the side panel makes.
 */
import type { Editor } from './editor'
import { UpdateCommand } from './history'
import type { Annotation, AttributeValue, Attributes } from './types'

/** VOC's per-object flags, shown as checkboxes when a dataset uses them. */
export const VOC_FLAGS = ['difficult', 'truncated', 'occluded'] as const
export type VocFlag = (typeof VOC_FLAGS)[number]

export const ATTRIBUTE_KEY_MAX = 64
export const ATTRIBUTE_TEXT_MAX = 1000

/** Deep equality of two JSON values (key order ignored). */
export function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === b) return true
  if (a === null || b === null || a === undefined || b === undefined) return false
  if (typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((v: AttributeValue, i: number) => sameValue(v, b[i] as AttributeValue))
  }
  const ra = a as Attributes
  const rb = b as Attributes
  const keys = Object.keys(ra)
  return keys.length === Object.keys(rb).length && keys.every((k) => k in rb && sameValue(ra[k], rb[k]))
}

/** Whether two annotations carry the same attributes; unknown, null and empty are all "none". */
export function sameAttributes(a: Attributes | null | undefined, b: Attributes | null | undefined): boolean {
  const ea = !a || Object.keys(a).length === 0
  const eb = !b || Object.keys(b).length === 0
  if (ea || eb) return ea === eb
  return sameValue(a, b)
}

/** Why a key cannot be used (null when it can). */
export function attributeKeyProblem(key: string, existing: Attributes | null | undefined, renaming?: string): string | null {
  const k = key.trim()
  if (k.length === 0) return 'Name the attribute.'
  if (k.length > ATTRIBUTE_KEY_MAX) return `At most ${ATTRIBUTE_KEY_MAX} characters.`
  // Control and bidirectional-override characters make names that look like other names.
  if (/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u.test(k)) return 'Letters, digits, spaces and punctuation only.'
  if (existing && k !== renaming && Object.hasOwn(existing, k)) return `"${k}" is already set.`
  return null
}

/** A value the panel may store: finite numbers, bounded text. */
export function attributeValueProblem(value: AttributeValue): string | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'Enter a finite number.'
  if (typeof value === 'string' && value.length > ATTRIBUTE_TEXT_MAX) return `At most ${ATTRIBUTE_TEXT_MAX} characters.`
  return null
}

/** The attributes with `key` set to `value`, or removed when `value` is undefined; null when none are left. */
export function withAttribute(attributes: Attributes | null | undefined, key: string, value: AttributeValue | undefined): Attributes | null {
  const next: Record<string, AttributeValue> = { ...(attributes ?? {}) }
  if (value === undefined) delete next[key]
  else next[key] = value
  return Object.keys(next).length > 0 ? next : null
}

/** Whether any annotation uses a VOC flag: then every box of the image offers the checkboxes. */
export function usesVocFlags(items: readonly Annotation[]): boolean {
  return items.some((a) => a.attributes && VOC_FLAGS.some((f) => Object.hasOwn(a.attributes ?? {}, f)))
}

/**
 * Set (or, with undefined, remove) one attribute of a box as one undo step; false when the box
 * is locked or gone, or nothing would change. VOC flags are stored only when true, as the VOC
 * import stores them.
 */
export function setAttribute(editor: Editor, key: string, name: string, value: AttributeValue | undefined): boolean {
  const stored = (VOC_FLAGS as readonly string[]).includes(name) && value === false ? undefined : value
  const label = value === undefined ? `Remove attribute ${name}` : `Set ${name}`
  return changeAttributes(editor, key, label, (a) => withAttribute(a.attributes, name, stored))
}

/** Rename an attribute, keeping its value and its place among the others. */
export function renameAttribute(editor: Editor, key: string, from: string, to: string): boolean {
  return changeAttributes(editor, key, `Rename attribute ${from}`, (a) => {
    const next: Record<string, AttributeValue> = {}
    for (const [k, v] of Object.entries(a.attributes ?? {})) next[k === from ? to : k] = v
    return next
  })
}

function changeAttributes(editor: Editor, key: string, label: string, next: (a: Annotation) => Attributes | null): boolean {
  const annotation = editor.doc.get(key)
  if (!annotation || editor.visibility.isLocked(key)) return false
  const attributes = next(annotation)
  if (sameAttributes(annotation.attributes, attributes)) return false
  editor.execute(new UpdateCommand(label, [{ key, before: { attributes: annotation.attributes ?? null }, after: { attributes } }]))
  return true
}
