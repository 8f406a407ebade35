/**
 * The polygon tool end to end, against the real server of globalSetup: a polygon dataset opens with
 * the polygon tool, a polygon is drawn vertex by vertex and closed on its first vertex, its vertices
 * are moved, added and deleted with the select tool, and it is saved and comes back after a reload.
 * The side panel says "Shapes", and a hidden shape is still hidden after a reload (kept on the device).
 */
import type { Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { apiJson, shot, shotOf } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE, viewport: { width: 1600, height: 1000 } })
test.describe.configure({ mode: 'serial' })

interface ShapeJson {
  kind: string
  points: { x: number; y: number }[] | null
}

/** The part of the page's `window.__shelfscopeEditor` hook (src/features/annotate/hooks/editor-session.ts) this spec reads. */
interface PolygonHookView {
  imageId: number
  renderedAt: number | null
  editor: {
    doc: { all(): readonly ShapeJson[]; image: { width: number; height: number } }
    viewport: { toScreen(p: { x: number; y: number }): { x: number; y: number } }
    toolPath: string
  }
}

/** editor.spec.ts declares the hook on Window with its own view; this spec reads it through a cast. */
type HookWindow = { __shelfscopeEditor?: PolygonHookView }

let datasetId = 0
let imageId = 0

function shapes(page: Page): Promise<ShapeJson[]> {
  return page.evaluate(() => ((window as unknown as HookWindow).__shelfscopeEditor?.editor.doc.all() ?? []).map((a) => ({ kind: a.kind, points: a.points })))
}

/** Page coordinates of a point given as fractions of the image. */
async function at(page: Page, fx: number, fy: number): Promise<{ x: number; y: number }> {
  const canvas = await page.getByTestId('editor-canvas').boundingBox()
  if (!canvas) throw new Error('no canvas')
  const s = await page.evaluate(([x, y]) => {
    const hook = (window as unknown as HookWindow).__shelfscopeEditor
    const image = hook?.editor.doc.image ?? { width: 1, height: 1 }
    return hook?.editor.viewport.toScreen({ x: (x ?? 0) * image.width, y: (y ?? 0) * image.height })
  }, [fx, fy])
  if (!s) throw new Error('no editor')
  return { x: canvas.x + s.x, y: canvas.y + s.y }
}

/** Page coordinates of an image point given in pixels. */
async function atPixel(page: Page, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const size = await page.evaluate(() => (window as unknown as HookWindow).__shelfscopeEditor?.editor.doc.image ?? { width: 1, height: 1 })
  return at(page, p.x / size.width, p.y / size.height)
}

async function clickAt(page: Page, p: { x: number; y: number }, modifiers: ('Alt' | 'Control')[] = []): Promise<void> {
  await page.mouse.move(p.x, p.y)
  for (const m of modifiers) await page.keyboard.down(m)
  await page.mouse.down()
  await page.mouse.up()
  for (const m of modifiers) await page.keyboard.up(m)
}

async function openEditor(page: Page): Promise<void> {
  await page.goto(`/od/annotate/${datasetId}/${imageId}`)
  await page.waitForFunction((id) => (window as unknown as HookWindow).__shelfscopeEditor?.imageId === id && (window as unknown as HookWindow).__shelfscopeEditor?.renderedAt !== null, imageId)
}

test.beforeAll(async ({ playwright, harness }) => {
  const request = await playwright.request.newContext({ baseURL: harness.baseURL, storageState: AUTH_STATE })
  const stamp = Date.now().toString(36)
  await apiJson(request, 'POST', '/api/v1/od/classes', { name: `e2e-shelf-edge-${stamp}`, color: '#f97316' })
  const images = (await (await request.get('/api/v1/od/images?limit=1')).json()) as { items: { id: number }[] }
  imageId = images.items[0]?.id ?? 0
  const dataset = await apiJson<{ id: number }>(request, 'POST', '/api/v1/od/datasets', { name: `Polygon e2e ${stamp}`, annotation_type: 'polygon' })
  datasetId = dataset.id
  await apiJson(request, 'POST', `/api/v1/od/datasets/${datasetId}/images`, { image_ids: [imageId] })
  await request.dispose()
})

test('draw a polygon, edit its vertices, save it, and find it again after a reload', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await openEditor(page)

  // A polygon dataset opens with the polygon tool; the box tool is still there.
  await expect(page.getByRole('button', { name: 'Draw polygon' })).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByRole('button', { name: 'Draw box' })).toBeVisible()
  // A polygon dataset's panel counts shapes, not boxes.
  const sidebar = page.getByRole('complementary', { name: 'Annotation sidebar' })
  await expect(sidebar.getByRole('heading', { name: 'Shapes' })).toBeVisible()
  await expect(sidebar).toContainText('No shapes yet')
  await expect(sidebar).not.toContainText(/boxes/i)

  // Five clicks place five vertices; a click on the first closes the polygon.
  const outline: [number, number][] = [
    [0.3, 0.25],
    [0.55, 0.2],
    [0.7, 0.45],
    [0.55, 0.75],
    [0.3, 0.65],
  ]
  for (const [fx, fy] of outline) await clickAt(page, await at(page, fx, fy))
  const closing = await at(page, 0.31, 0.26)
  await page.mouse.move(closing.x, closing.y)
  await expect.poll(() => page.evaluate(() => (window as unknown as HookWindow).__shelfscopeEditor?.editor.toolPath)).toBe('polygon.drawing')
  await shot(page, 'polygon-drawing', { fullPage: false })
  await clickAt(page, await at(page, 0.3, 0.25))
  await expect(page.getByTestId('box-count')).toHaveText('1')
  let list = await shapes(page)
  expect(list[0]?.kind).toBe('polygon')
  expect(list[0]?.points).toHaveLength(5)

  // Select tool: drag vertex 2 outwards, click an edge midpoint to add a vertex, Alt+click to delete one.
  await page.keyboard.press('v')
  await clickAt(page, await at(page, 0.45, 0.45))
  const before = list[0]?.points ?? []
  const from = await atPixel(page, before[2] ?? { x: 0, y: 0 })
  const to = await at(page, 0.8, 0.5)
  await page.mouse.move(from.x, from.y)
  await page.mouse.down()
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 })
  await page.mouse.move(to.x, to.y, { steps: 4 })
  await page.mouse.up()
  list = await shapes(page)
  const size = await page.evaluate(() => (window as unknown as HookWindow).__shelfscopeEditor?.editor.doc.image ?? { width: 1, height: 1 })
  expect(list[0]?.points?.[2]?.x).toBeCloseTo(0.8 * size.width, -1)

  const p0 = before[0] ?? { x: 0, y: 0 }
  const p1 = before[1] ?? { x: 0, y: 0 }
  await clickAt(page, await atPixel(page, { x: (p0.x + p1.x) / 2, y: (p0.y + p1.y) / 2 }))
  await expect.poll(async () => (await shapes(page))[0]?.points?.length).toBe(6)
  await shot(page, 'polygon-tool', { fullPage: false })

  await clickAt(page, await atPixel(page, (await shapes(page))[0]?.points?.[4] ?? { x: 0, y: 0 }), ['Alt'])
  await expect.poll(async () => (await shapes(page))[0]?.points?.length).toBe(5)
  // Undo and redo the delete: one step each.
  await page.keyboard.press('Control+z')
  await expect.poll(async () => (await shapes(page))[0]?.points?.length).toBe(6)
  await page.keyboard.press('Control+y')
  await expect.poll(async () => (await shapes(page))[0]?.points?.length).toBe(5)
  const edited = (await shapes(page))[0]?.points ?? []

  // Saved to the server as a polygon with its vertices; back after a reload.
  await page.keyboard.press('Control+s')
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  const stored = async () => {
    const response = await page.request.get(`/api/v1/od/datasets/${datasetId}/images/${imageId}/annotations`)
    return ((await response.json()) as { items: { kind: string; points: number[][] | null }[] }).items
  }
  await expect.poll(async () => (await stored())[0]?.points?.length).toBe(5)
  const items = await stored()
  expect(items).toHaveLength(1)
  expect(items[0]?.kind).toBe('polygon')
  expect(items[0]?.points?.map(([x, y]) => ({ x, y }))).toEqual(edited.map((p) => ({ x: expect.closeTo(p.x, 3), y: expect.closeTo(p.y, 3) })))

  await openEditor(page)
  list = await shapes(page)
  expect(list).toHaveLength(1)
  expect(list[0]?.points).toHaveLength(5)
  await shot(page, 'polygon-saved', { fullPage: false })
  await expect(sidebar.getByRole('combobox', { name: 'Class of shape 1' })).toBeVisible()
  await page.keyboard.press('v')
  await clickAt(page, await at(page, 0.45, 0.45))
  await expect(sidebar.getByTestId('annotation-row')).toHaveAttribute('aria-selected', 'true')
  await shotOf(sidebar, 'polygon-side-panel')

  // Hidden is remembered for this image on this device: still hidden after a reload, until shown.
  await sidebar.getByRole('button', { name: 'Hide shape 1' }).click()
  await expect(sidebar.getByTestId('annotation-row')).toHaveAttribute('data-hidden', 'true')
  await openEditor(page)
  await expect(sidebar.getByTestId('annotation-row')).toHaveAttribute('data-hidden', 'true')
  await sidebar.getByRole('button', { name: 'Show shape 1' }).click()
  await openEditor(page)
  await expect(sidebar.getByTestId('annotation-row')).not.toHaveAttribute('data-hidden', 'true')

  // The box tool stays a key away, and P comes back to polygons.
  await page.keyboard.press('b')
  await expect(page.getByRole('button', { name: 'Draw box' })).toHaveAttribute('aria-pressed', 'true')
  await page.keyboard.press('p')
  await expect(page.getByRole('button', { name: 'Draw polygon' })).toHaveAttribute('aria-pressed', 'true')

  // The help lists the polygon keys.
  await page.keyboard.press('Shift+?')
  await expect(page.getByTestId('shortcut-help')).toContainText('Polygon tool: click to place each vertex')
  await expect(page.getByTestId('shortcut-help')).toContainText('Delete a vertex')
  await shot(page, 'polygon-help', { fullPage: false })
  await page.keyboard.press('Escape')
  expect(errors).toEqual([])
})
