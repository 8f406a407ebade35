/**
 * SAM masks as the API sends them: COCO run-length encoding, column-major, runs alternating
 * 0s and 1s starting with 0s (`counts` as numbers, or COCO's compressed string). Decoded for
 * tests and measurements, and painted into a small canvas for the overlay.
 */

export interface RleMask {
  /** [height, width] */
  size: readonly [number, number]
  counts: readonly number[] | string
}

/** The run lengths of a mask, whichever form `counts` has. */
export function rleCounts(counts: readonly number[] | string): number[] {
  if (typeof counts !== 'string') return [...counts]
  // pycocotools' rleFrString: 5 bits per character (offset 48), 0x20 = more, 0x10 = sign; from the
  // third count on, each is stored as the difference to the count two before it.
  const out: number[] = []
  let p = 0
  while (p < counts.length) {
    let x = 0
    let k = 0
    let more = true
    while (more && p < counts.length) {
      const c = counts.charCodeAt(p) - 48
      x |= (c & 0x1f) << (5 * k)
      more = (c & 0x20) !== 0
      p += 1
      k += 1
      if (!more && (c & 0x10) !== 0) x |= -1 << (5 * k)
    }
    if (out.length > 2) x += out[out.length - 2] ?? 0
    out.push(x)
  }
  return out
}

function checkedCounts(rle: RleMask): { height: number; width: number; counts: number[] } {
  const [height, width] = rle.size
  const counts = rleCounts(rle.counts)
  const total = counts.reduce((sum, n) => sum + n, 0)
  if (counts.some((n) => n < 0) || total !== height * width) {
    throw new Error(`RLE runs cover ${total} pixels, the mask has ${height}×${width} = ${height * width}`)
  }
  return { height, width, counts }
}

/** The mask as row-major 0/1 bytes (`data[y * width + x]`). */
export function decodeRle(rle: RleMask): { width: number; height: number; data: Uint8Array } {
  const { height, width, counts } = checkedCounts(rle)
  const data = new Uint8Array(width * height)
  let pos = 0
  counts.forEach((run, i) => {
    if (i % 2 === 1) {
      for (let j = pos; j < pos + run; j++) {
        const x = Math.floor(j / height)
        const y = j - x * height
        data[y * width + x] = 1
      }
    }
    pos += run
  })
  return { width, height, data }
}

/** How many pixels are set. */
export function maskArea(rle: RleMask): number {
  return rleCounts(rle.counts).reduce((sum, n, i) => (i % 2 === 1 ? sum + n : sum), 0)
}

/**
 * A mask ready to draw: `source` holds it transposed (its rows are the mask's columns, so every
 * run is one contiguous fill); the overlay draws it with a transposing transform.
 */
export interface MaskImage {
  source: CanvasImageSource
  width: number
  height: number
}

/** `#rrggbb` as one little-endian RGBA word at alpha `alpha` (0..255). */
export function rgbaWord(color: string, alpha: number): number {
  const hex = /^#?([0-9a-f]{6})$/i.exec(color)?.[1] ?? '3b82f6'
  const n = Number.parseInt(hex, 16)
  const r = (n >> 16) & 0xff
  const g = (n >> 8) & 0xff
  const b = n & 0xff
  return ((alpha & 0xff) << 24) | (b << 16) | (g << 8) | r
}

/** The transposed pixels of a mask in one colour (what `paintMask` puts on its canvas). */
export function maskPixels(rle: RleMask, color: string, alpha = 255): { width: number; height: number; pixels: Uint32Array } {
  const { height, width, counts } = checkedCounts(rle)
  const pixels = new Uint32Array(width * height)
  const word = rgbaWord(color, alpha) >>> 0
  let pos = 0
  counts.forEach((run, i) => {
    if (i % 2 === 1 && run > 0) pixels.fill(word, pos, pos + run)
    pos += run
  })
  // Transposed: `height` pixels per row, `width` rows.
  return { width: height, height: width, pixels }
}

type CanvasFactory = (width: number, height: number) => HTMLCanvasElement | OffscreenCanvas | null

const defaultCanvas: CanvasFactory = (width, height) => {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height)
  if (typeof document === 'undefined') return null
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  return canvas
}

/** Paint the mask into a canvas; null where no 2D canvas is available (then only outlines are drawn). */
export function paintMask(rle: RleMask, color: string, makeCanvas: CanvasFactory = defaultCanvas): MaskImage | null {
  const { width, height, pixels } = maskPixels(rle, color)
  if (width === 0 || height === 0) return null
  const canvas = makeCanvas(width, height)
  const ctx = canvas?.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null | undefined
  if (!canvas || !ctx) return null
  const image = ctx.createImageData(width, height)
  image.data.set(new Uint8ClampedArray(pixels.buffer))
  ctx.putImageData(image, 0, 0)
  return { source: canvas, width: rle.size[1], height: rle.size[0] }
}
