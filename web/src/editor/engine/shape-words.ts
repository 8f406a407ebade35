/** How the editor names what it acts on, in undo labels and menus. */
import type { AnnotationKind } from './types'

/** "box", "polygon", "3 boxes", "3 polygons", or "3 shapes" for a mix of both. */
export function shapesWord(kinds: readonly AnnotationKind[]): string {
  const polygons = kinds.filter((k) => k === 'polygon').length
  const noun = polygons === 0 ? 'box' : polygons === kinds.length ? 'polygon' : 'shape'
  if (kinds.length === 1) return noun
  return `${kinds.length} ${noun === 'box' ? 'boxes' : `${noun}s`}`
}
