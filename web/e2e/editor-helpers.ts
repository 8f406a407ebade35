/**
 * What the editor specs share: a dataset of library photos with classes of its own, the server's
 * annotations of an image, and the page's `window.__shelfscopeEditor` hook
 * (src/features/annotate/hooks/editor-session.ts) to read boxes and turn image pixels into page coordinates.
 */
import type { Page, PlaywrightWorkerArgs } from '@playwright/test'
import { AUTH_STATE, type HarnessState } from './harness'
import { apiJson } from './helpers'

export interface Seeded {
  datasetId: number
  datasetName: string
  imageIds: number[]
  classIds: number[]
  classNames: string[]
}

export interface BoxJson {
  key: string
  id: number | null
  classId: number
  x1: number
  y1: number
  x2: number
  y2: number
  attributes?: Record<string, unknown> | null
}

/** The part of the page's hook these tests read. */
interface EditorHookView {
  imageId: number
  renderedAt: number | null
  editor: {
    doc: { all(): readonly BoxJson[]; image: { width: number; height: number } }
    viewport: { toScreen(p: { x: number; y: number }): { x: number; y: number } }
    classes: ReadonlyMap<number, unknown>
  }
}

declare global {
  interface Window {
    __shelfscopeEditor?: EditorHookView
  }
}

/** A dataset of the library's first five photos in membership order, and three classes named after `label`. */
export async function seedDataset(playwright: PlaywrightWorkerArgs['playwright'], harness: HarnessState, label: string): Promise<Seeded> {
  const request = await playwright.request.newContext({ baseURL: harness.baseURL, storageState: AUTH_STATE })
  const stamp = Date.now().toString(36)
  const classIds: number[] = []
  const classNames = ['bottle', 'can', 'box'].map((name) => `${label}-${name}-${stamp}`)
  for (const name of classNames) {
    const created = await apiJson<{ id: number }>(request, 'POST', '/api/v1/od/classes', { name })
    classIds.push(created.id)
  }
  const images = await apiJson<{ items: { id: number }[] }>(request, 'GET', '/api/v1/od/images?limit=5')
  const imageIds = images.items.slice(0, 5).map((i) => i.id)
  const datasetName = `Editor ${label} ${stamp}`
  const dataset = await apiJson<{ id: number }>(request, 'POST', '/api/v1/od/datasets', { name: datasetName })
  await apiJson(request, 'POST', `/api/v1/od/datasets/${dataset.id}/images`, { image_ids: imageIds })
  // Dataset order is membership order; read it back so "next" is predictable.
  const members = await apiJson<{ items: { image_id?: number; image?: { id: number } }[] }>(request, 'GET', `/api/v1/od/datasets/${dataset.id}/images?limit=10`)
  const ordered = members.items.map((m) => m.image_id ?? m.image?.id ?? 0).filter((id) => id > 0)
  await request.dispose()
  return { datasetId: dataset.id, datasetName, imageIds: ordered.length === imageIds.length ? ordered : imageIds, classIds, classNames }
}

export async function openImage(page: Page, datasetId: number, imageId: number): Promise<void> {
  await page.goto(`/od/annotate/${datasetId}/${imageId}`)
  await waitForImage(page, imageId)
}

/** Wait until the editor shows `imageId` with every box drawn. */
export async function waitForImage(page: Page, imageId: number): Promise<void> {
  await page.waitForFunction((id) => window.__shelfscopeEditor?.imageId === id && window.__shelfscopeEditor.renderedAt !== null, imageId)
}

export function boxes(page: Page): Promise<BoxJson[]> {
  return page.evaluate(() =>
    (window.__shelfscopeEditor?.editor.doc.all() ?? []).map((a) => ({
      key: a.key,
      id: a.id,
      classId: a.classId,
      x1: a.x1,
      y1: a.y1,
      x2: a.x2,
      y2: a.y2,
      attributes: a.attributes ?? null,
    })),
  )
}

export function imageSize(page: Page): Promise<{ width: number; height: number }> {
  return page.evaluate(() => window.__shelfscopeEditor?.editor.doc.image ?? { width: 1, height: 1 })
}

/** Page coordinates of a point given in image pixels, or as fractions of the image when `frac`. */
export async function toPage(page: Page, x: number, y: number, frac = false): Promise<{ x: number; y: number }> {
  const canvas = await page.getByTestId('editor-canvas').boundingBox()
  if (!canvas) throw new Error('no canvas')
  const size = frac ? await imageSize(page) : { width: 1, height: 1 }
  const s = await page.evaluate(([ix, iy]) => window.__shelfscopeEditor?.editor.viewport.toScreen({ x: ix ?? 0, y: iy ?? 0 }), [x * size.width, y * size.height])
  if (!s) throw new Error('no editor')
  return { x: canvas.x + s.x, y: canvas.y + s.y }
}

/** Drag between two image points, in image pixels or (frac) fractions of the image. */
export async function dragImage(page: Page, from: [number, number], to: [number, number], frac = false): Promise<void> {
  const a = await toPage(page, from[0], from[1], frac)
  const b = await toPage(page, to[0], to[1], frac)
  await page.mouse.move(a.x, a.y)
  await page.mouse.down()
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 })
  await page.mouse.move(b.x, b.y, { steps: 4 })
  await page.mouse.up()
}

export interface ServerAnnotation {
  id: number
  class_id: number
  x1: number
  y1: number
  x2: number
  y2: number
  attributes: Record<string, unknown> | null
}

/** The image's annotations as the server holds them. */
export async function serverAnnotations(page: Page, datasetId: number, imageId: number): Promise<{ revision: number; items: ServerAnnotation[] }> {
  const body = await apiJson<{ dataset_image: { revision: number }; items: ServerAnnotation[] }>(page.request, 'GET', `/api/v1/od/datasets/${datasetId}/images/${imageId}/annotations`)
  return { revision: body.dataset_image.revision, items: body.items }
}
