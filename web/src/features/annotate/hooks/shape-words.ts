/**
 * What the editor calls a dataset's annotations: "boxes" in a box dataset, "shapes" in a polygon
 * dataset (which holds polygons and may hold boxes too). One context, so every label says the same.
 */
import { createContext, useContext } from 'react'
import type { AnnotationType } from '@/lib/api'

export interface ShapeWords {
  /** "box" / "shape" */
  one: string
  /** "Box" / "Shape", a label on its own */
  One: string
  /** "boxes" / "shapes" */
  many: string
  /** "Boxes" / "Shapes", a heading */
  title: string
  /** "3 boxes", "1 shape" */
  count: (n: number) => string
}

function words(one: string, many: string): ShapeWords {
  return {
    one,
    One: one.charAt(0).toUpperCase() + one.slice(1),
    many,
    title: many.charAt(0).toUpperCase() + many.slice(1),
    count: (n) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`,
  }
}

const BOXES = words('box', 'boxes')
const SHAPES = words('shape', 'shapes')

export function shapeWordsFor(annotationType: AnnotationType | null | undefined): ShapeWords {
  return annotationType === 'polygon' ? SHAPES : BOXES
}

export const ShapeWordsContext = createContext<ShapeWords>(BOXES)

export function useShapeWords(): ShapeWords {
  return useContext(ShapeWordsContext)
}
