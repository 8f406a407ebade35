/**
 * AI auto-annotation end to end with tiny random-weight models (tiny-models.ts puts them in the
 * server's models folder first): Detect on one image, the threshold slider, accept, reject, accept all and
 * undo, each saved; a SAM click kept as a box; a bulk run over 20 images with its progress; and the
 * review queue with its per-model numbers. Screenshots: the AI panel, the dialog, the review queue.
 */
import type { APIRequestContext, Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { openImage, toPage } from './editor-helpers'
import { apiJson, shot } from './helpers'
import { expect, test } from './fixtures'
import { installTinyModels, TINY_DETECTOR, TINY_SAM } from './tiny-models'

test.use({ storageState: AUTH_STATE, viewport: { width: 1600, height: 1000 } })
// Models load on first use and run on the CPU of a shared machine: minutes, not the default minute.
test.describe.configure({ mode: 'serial', timeout: 300_000 })

interface AiDataset {
  id: number
  imageIds: number[]
  classIds: number[]
}

interface Prediction {
  key: string
  id: number | null
  confidence: number | null
  reviewState: string
  source: string
}

interface ServerRow {
  id: number
  source: string
  review_state: string
  confidence: number | null
  model: string | null
}

const stamp = Date.now().toString(36)
let small: AiDataset
let bulk: AiDataset

/** A dataset of `count` library photos whose label set is two new classes. */
async function makeDataset(request: APIRequestContext, base: string, name: string, count: number, offset: number): Promise<AiDataset> {
  const classIds: number[] = []
  for (const word of ['cola', 'fanta']) {
    classIds.push((await apiJson<{ id: number }>(request, 'POST', '/api/v1/od/classes', { name: `${word}-${name}-${stamp}` }, base)).id)
  }
  const images = await apiJson<{ items: { id: number }[] }>(request, 'GET', `/api/v1/od/images?limit=${count + offset}`, undefined, base)
  const imageIds = images.items.slice(offset, offset + count).map((i) => i.id)
  const dataset = await apiJson<{ id: number }>(request, 'POST', '/api/v1/od/datasets', { name: `AI ${name} ${stamp}` }, base)
  await apiJson(request, 'POST', `/api/v1/od/datasets/${dataset.id}/images`, { image_ids: imageIds }, base)
  await apiJson(request, 'PUT', `/api/v1/od/datasets/${dataset.id}/classes`, { class_ids: classIds }, base)
  const members = await apiJson<{ items: { image_id: number }[] }>(request, 'GET', `/api/v1/od/datasets/${dataset.id}/images?limit=${count}`, undefined, base)
  return { id: dataset.id, imageIds: members.items.map((m) => m.image_id), classIds }
}

function predictions(page: Page): Promise<Prediction[]> {
  return page.evaluate(() =>
    (window.__shelfscopeEditor?.editor.doc.all() ?? []).map((a) => {
      const p = a as unknown as Prediction
      return { key: p.key, id: p.id, confidence: p.confidence, reviewState: p.reviewState, source: p.source }
    }),
  )
}

function selectedKey(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window.__shelfscopeEditor?.editor as unknown as { selectedKeys: string[] } | undefined)?.selectedKeys[0])
}

function shownKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const editor = window.__shelfscopeEditor?.editor as unknown as { doc: { all(): { key: string }[] }; review: { isHidden(k: string): boolean } } | undefined
    return (editor?.doc.all() ?? []).filter((a) => !editor?.review.isHidden(a.key)).map((a) => a.key)
  })
}

async function serverRows(page: Page, datasetId: number, imageId: number): Promise<ServerRow[]> {
  const body = await apiJson<{ items: ServerRow[] }>(page.request, 'GET', `/api/v1/od/datasets/${datasetId}/images/${imageId}/annotations`)
  return body.items
}

/** The slider value (a multiple of 0.01) that leaves the number shown closest to half, hiding at least one. */
function splittingThreshold(confidences: number[]): number {
  let best = 0.5
  let bestGap = Infinity
  for (let step = 1; step <= 100; step++) {
    const t = step / 100
    const shown = confidences.filter((c) => c >= t).length
    const gap = Math.abs(shown - confidences.length / 2)
    if (shown > 0 && shown < confidences.length && gap < bestGap) [best, bestGap] = [t, gap]
  }
  return best
}

const saved = (page: Page) => expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved', { timeout: 10_000 })

test.beforeAll(async ({ playwright, harness }) => {
  installTinyModels(harness.dataDir)
  const request = await playwright.request.newContext({ baseURL: harness.baseURL, storageState: AUTH_STATE })
  small = await makeDataset(request, harness.baseURL, 'editor', 3, 0)
  bulk = await makeDataset(request, harness.baseURL, 'bulk', 20, 3)
  await request.dispose()
})

test('the models list shows the tiny detector and SAM as present', async ({ page }) => {
  const models = await apiJson<{ items: { key: string; present: boolean }[] }>(page.request, 'GET', '/api/v1/ml/models')
  expect(models.items.filter((m) => m.present).map((m) => m.key)).toEqual(expect.arrayContaining([TINY_DETECTOR, TINY_SAM]))
})

test('detect on one image, move the slider, accept one, reject one, accept all, undo', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const imageId = small.imageIds[0] ?? 0
  await openImage(page, small.id, imageId)
  await page.getByTestId('ai-panel-toggle').click()
  const panel = page.getByTestId('ai-panel')
  await expect(panel.getByTestId('prompt-chip')).toHaveCount(2)
  await expect(panel.getByTestId('model-select').first()).toContainText('Grounding DINO')

  // Detect (the I key), then the predictions are in the document, pending, as the server stored them.
  await page.getByTestId('editor-canvas').click({ position: { x: 5, y: 5 } })
  await page.keyboard.press('i')
  await expect(page.getByText(/predictions, \d+ above the threshold/)).toBeVisible({ timeout: 60_000 })
  let all = (await predictions(page)).filter((p) => p.source === 'ai')
  expect(all.length).toBeGreaterThan(2)
  expect(all.every((p) => p.reviewState === 'pending' && p.id !== null)).toBe(true)
  const rows = await serverRows(page, small.id, imageId)
  expect(rows.filter((r) => r.source === 'ai' && r.review_state === 'pending').map((r) => r.id).sort()).toEqual(all.map((p) => p.id).sort())
  expect(rows.every((r) => r.model === TINY_DETECTOR)).toBe(true)

  // The slider filters what is shown, live: set it (in its 1 % steps) where it hides about half.
  const threshold = splittingThreshold(all.map((p) => p.confidence ?? 0))
  await panel.getByTestId('ai-threshold').fill(String(threshold))
  const expectShown = all.filter((p) => (p.confidence ?? 0) >= threshold).map((p) => p.key)
  await expect.poll(() => shownKeys(page)).toEqual(expect.arrayContaining(expectShown))
  expect((await shownKeys(page)).length).toBe(expectShown.length)
  await expect(panel.getByTestId('ai-prediction-counts')).toHaveText(`${expectShown.length} shown · ${all.length - expectShown.length} hidden below the threshold`)
  await shot(page, 'ai-panel')

  // N selects the most confident shown prediction; A accepts it, R rejects the next.
  await page.keyboard.press('n')
  const first = await selectedKey(page)
  await page.keyboard.press('a')
  const second = await selectedKey(page)
  expect(second).not.toBe(first)
  await page.keyboard.press('r')
  all = await predictions(page)
  expect(all.find((p) => p.key === first)?.reviewState).toBe('accepted')
  expect(all.find((p) => p.key === second)?.reviewState).toBe('rejected')
  expect(await shownKeys(page)).not.toContain(second)
  await saved(page)
  let server = await serverRows(page, small.id, imageId)
  const idOf = (key: string | undefined) => all.find((p) => p.key === key)?.id
  expect(server.find((r) => r.id === idOf(first))?.review_state).toBe('accepted')
  expect(server.find((r) => r.id === idOf(second))?.review_state).toBe('rejected')

  // Accept all shown (Shift+A), then undo it: the server follows both.
  const stillPending = (await predictions(page)).filter((p) => p.reviewState === 'pending' && (p.confidence ?? 0) >= threshold)
  await page.keyboard.press('Shift+A')
  expect((await predictions(page)).filter((p) => stillPending.some((q) => q.key === p.key)).every((p) => p.reviewState === 'accepted')).toBe(true)
  await saved(page)
  server = await serverRows(page, small.id, imageId)
  expect(stillPending.every((p) => server.find((r) => r.id === p.id)?.review_state === 'accepted')).toBe(true)
  await page.keyboard.press('Control+z')
  expect((await predictions(page)).filter((p) => stillPending.some((q) => q.key === p.key)).every((p) => p.reviewState === 'pending')).toBe(true)
  await saved(page)
  server = await serverRows(page, small.id, imageId)
  expect(stillPending.every((p) => server.find((r) => r.id === p.id)?.review_state === 'pending')).toBe(true)
  // The rejected one is still on the server, kept as rejected.
  expect(server.find((r) => r.id === idOf(second))?.review_state).toBe('rejected')
  expect(errors).toEqual([])
})

test('a SAM click becomes a box of the current class', async ({ page }) => {
  const imageId = small.imageIds[1] ?? 0
  await openImage(page, small.id, imageId)
  const before = (await predictions(page)).length
  await page.keyboard.press('s')
  await expect(page.getByTestId('sam-hint')).toBeVisible()
  const at = await toPage(page, 0.5, 0.5, true)
  await page.mouse.click(at.x, at.y)
  await page.waitForFunction(() => (window.__shelfscopeEditor?.editor as unknown as { segment: { shown: unknown } }).segment.shown !== null, undefined, { timeout: 60_000 })
  await shot(page, 'ai-sam-mask')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('box-count')).toHaveText(String(before + 1))
  const made = (await page.evaluate(() => window.__shelfscopeEditor?.editor.doc.all().at(-1))) as { classId: number; kind: string; x2: number; x1: number } | undefined
  expect(made?.kind).toBe('bbox')
  expect(small.classIds).toContain(made?.classId)
  expect((made?.x2 ?? 0) - (made?.x1 ?? 0)).toBeGreaterThan(0)
  await saved(page)
  expect(await serverRows(page, small.id, imageId)).toHaveLength(before + 1)
})

test('bulk auto-annotate 20 images from the dataset page, with live progress and a summary', async ({ page }) => {
  await page.goto(`/od/datasets/${bulk.id}`)
  await page.getByTestId('auto-annotate').click()
  const dialog = page.getByTestId('auto-annotate-dialog')
  await expect(dialog.getByTestId('prompt-chip')).toHaveCount(2)
  await dialog.getByRole('radio', { name: 'All images' }).click()
  await dialog.getByLabel('Confidence threshold').fill('0.2')
  await shot(page, 'ai-dialog')
  await dialog.getByTestId('annotate-start').click()
  const run = dialog.getByTestId('annotate-run')
  await expect(run).toBeVisible()
  // Progress moves through the images while the job runs.
  await expect(run.getByTestId('annotate-images')).toContainText(/\d+ of 20 images done/, { timeout: 30_000 })
  await expect(run).toHaveAttribute('data-status', 'succeeded', { timeout: 180_000 })
  await expect(run.getByTestId('annotate-images')).toHaveText('20 of 20 images done')
  await expect(run.getByTestId('annotate-counts')).toContainText('waiting for review')
  await shot(page, 'ai-dialog-done')
  const queue = await apiJson<{ total: number }>(page.request, 'GET', `/api/v1/od/ai/review?dataset_id=${bulk.id}`)
  expect(queue.total).toBeGreaterThan(0)
  await run.getByTestId('open-review').click()
  await expect(page).toHaveURL(new RegExp(`/od/datasets/${bulk.id}\\?tab=review`))
})

test('the review queue: images waiting, next pending into the editor, and the numbers per model', async ({ page }) => {
  await page.goto(`/od/datasets/${bulk.id}?tab=review`)
  const rows = page.getByTestId('review-image')
  await expect(rows.first()).toBeVisible()
  const firstId = Number(await rows.first().getAttribute('data-image-id'))
  await page.getByTestId('review-next').click()
  await expect(page).toHaveURL(new RegExp(`/od/annotate/${bulk.id}/${firstId}$`))
  await page.waitForFunction((id) => window.__shelfscopeEditor?.imageId === id && window.__shelfscopeEditor.renderedAt !== null, firstId)
  // Review this image by keys: accept two, reject one, accept the rest shown, then go to the next image with predictions.
  await page.getByTestId('ai-panel-toggle').click()
  await page.getByTestId('ai-threshold').fill('0')
  await page.getByTestId('editor-canvas').click({ position: { x: 5, y: 5 } })
  for (const key of ['n', 'a', 'a', 'r']) await page.keyboard.press(key)
  await page.keyboard.press('Shift+A')
  await saved(page)
  await page.getByTestId('ai-next-pending').click()
  await expect(page).not.toHaveURL(new RegExp(`/od/annotate/${bulk.id}/${firstId}$`))

  await page.goto(`/od/datasets/${bulk.id}?tab=review`)
  const model = page.getByTestId('review-model').filter({ hasText: 'Grounding DINO' })
  await expect(model).toBeVisible()
  await expect(model.getByTestId('share-rejected')).not.toHaveText(/^0%/)
  await expect(model.getByTestId('review-verdict')).toContainText(/AI is (saving|not saving)/)
  await expect(page.locator(`[data-testid="review-image"][data-image-id="${firstId}"]`)).toHaveCount(0)
  await shot(page, 'ai-review-queue')
})
