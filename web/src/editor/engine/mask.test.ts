import { describe, expect, it } from 'vitest'
import { decodeRle, maskArea, maskPixels, rgbaWord, rleCounts } from './mask'

/** A 5×7 mask: rows 1–3 of columns 2–4, plus the top pixel of the last column. */
const SMALL = { size: [5, 7] as [number, number], counts: [11, 3, 2, 3, 2, 3, 6, 1, 4] }

function row(data: Uint8Array, width: number, y: number): string {
  return Array.from(data.slice(y * width, (y + 1) * width)).join('')
}

describe('RLE masks', () => {
  it('decodes column-major runs into the right rows and columns', () => {
    const { width, height, data } = decodeRle(SMALL)
    expect([width, height]).toEqual([7, 5])
    expect([0, 1, 2, 3, 4].map((y) => row(data, width, y))).toEqual(['0000001', '0011100', '0011100', '0011100', '0000000'])
    expect(maskArea(SMALL)).toBe(10)
  })

  it("reads COCO's compressed string form exactly like the runs (strings made by pycocotools)", () => {
    expect(rleCounts(';320004NN')).toEqual(SMALL.counts)
    const big = {
      size: [40, 60] as [number, number],
      counts: '[6R160000000000000000000000000000UO4:LF4:LF4:LF4:LF4:LF4:LF4:LF4:LF4:LF4:La0000000000000000000000000000000000000000000000000U6',
    }
    expect(maskArea(big)).toBe(1600)
    const { data, width } = decodeRle(big)
    expect(data[15 * width + 25]).toBe(0)
    expect(data[15 * width + 10]).toBe(1)
    expect(data[2 * width + 10]).toBe(0)
  })

  it('refuses runs that do not cover the mask', () => {
    expect(() => decodeRle({ size: [5, 7], counts: [11, 3] })).toThrow(/cover 14 pixels.*35/)
  })

  it('paints transposed pixels, one fill per run, in the class colour', () => {
    const { width, height, pixels } = maskPixels(SMALL, '#ff8000', 200)
    expect([width, height]).toEqual([5, 7])
    const word = rgbaWord('#ff8000', 200) >>> 0
    // Transposed pixel (x' = row, y' = column) is mask pixel (row, column).
    expect(pixels[2 * width + 1]).toBe(word)
    expect(pixels[6 * width + 0]).toBe(word)
    expect(pixels[0]).toBe(0)
    expect(pixels.filter((p) => p !== 0).length).toBe(10)
    const bytes = new Uint8Array(new Uint32Array([word]).buffer)
    expect(Array.from(bytes)).toEqual([255, 128, 0, 200])
  })
})
