/**
 * Embeddings and matching end to end (issue 15's "Done means"): embeddings extracted on the Embeddings
 * page with the tiny DINOv2 into a collection of the spec's own; the Matching queue worked by keyboard
 * (arrows to the spec's cutouts, "1" confirms the best candidate, twice); a bulk accept above a threshold
 * after its preview and confirm; the products gaining cutout (real-domain) images; a shelf photo with
 * every box labelled with its SKU. Screenshots of the embeddings page, the queue, the bulk dialog and
 * the shelf view.
 */
import type { Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { api, shot, shotOf } from './helpers'
import { expect, test } from './fixtures'
import { MATCH_PRODUCTS, seedMatching, type MatchData } from './pr-matching-data'
import { installTinyEmbedder, TINY_BACKBONE } from './pr-training-data'

test.use({ storageState: AUTH_STATE, viewport: { width: 1440, height: 1000 } })
test.describe.configure({ mode: 'serial', timeout: 300_000 })

const stamp = Date.now().toString(36)
const COLLECTION = `e2e-match-${stamp}`
let data: MatchData
let collectionId = 0
const confirmed: number[] = []

interface CutoutJson {
  id: number
  state: string
  product_id: number | null
}
interface QueueJson {
  items: { cutout: { id: number }; candidates: { similarity: number; product: { sku: string } }[] }[]
}

test.beforeAll(async ({ playwright, harness }) => {
  installTinyEmbedder(harness.dataDir)
  const request = await playwright.request.newContext({ baseURL: harness.baseURL, storageState: AUTH_STATE })
  data = await seedMatching(request, harness.baseURL, harness.tmpDir, stamp)
  await request.dispose()
})

async function cutoutOf(page: Page, id: number): Promise<CutoutJson> {
  return api<CutoutJson>(page, 'GET', `/api/v1/pr/cutouts/${id}`)
}

async function expectMatched(page: Page, ids: readonly number[]): Promise<void> {
  for (const id of ids) {
    const sku = data.expected.get(id) ?? ''
    await expect.poll(async () => cutoutOf(page, id)).toMatchObject({ state: 'matched', product_id: data.productIds.get(sku) })
  }
}

test('embeddings are extracted with a model into a collection, with its stats on the page', async ({ page }) => {
  await page.goto('/embeddings')
  await expect(page.getByRole('heading', { level: 1, name: 'Embeddings' })).toBeVisible()
  await page.getByTestId('extract-model').click()
  await page.getByTestId(`model-option-stock:${TINY_BACKBONE}`).click()
  await page.getByTestId('extract-collection').fill(COLLECTION)
  await page.getByTestId('start-extract').click()
  const job = page.getByTestId('extract-job')
  await expect(job).toHaveAttribute('data-status', 'succeeded', { timeout: 240_000 })
  await expect(job.getByTestId('extract-result')).toContainText('embedded')
  const row = page.locator(`[data-testid="collection-row"][data-name="${COLLECTION}"]`)
  await expect(row).toBeVisible()
  collectionId = Number(await row.getAttribute('data-collection-id'))
  const stats = await api<{ vector_count: number; by_kind: { cutout?: number; product_image?: number } }>(page, 'GET', `/api/v1/pr/embeddings/collections/${collectionId}`)
  expect(stats.by_kind.cutout ?? 0).toBeGreaterThanOrEqual(MATCH_PRODUCTS)
  expect(stats.by_kind.product_image ?? 0).toBeGreaterThanOrEqual(MATCH_PRODUCTS)
  await expect(row.getByTestId('collection-vectors')).toHaveText(stats.vector_count.toLocaleString('en-US'))
  await shot(page, 'pr-embeddings')
})

/** Arrow through the queue to the next of the spec's own cutouts; its id. */
async function arrowToOurs(page: Page): Promise<number> {
  const focus = page.getByTestId('cutout-focus')
  for (let step = 0; step < 200; step++) {
    const id = Number(await focus.getAttribute('data-cutout-id'))
    if (data.expected.has(id) && !confirmed.includes(id)) return id
    await page.keyboard.press('ArrowRight')
    await expect(focus).not.toHaveAttribute('data-cutout-id', String(id))
  }
  throw new Error('none of the spec’s cutouts is in the queue')
}

test('two cutouts are confirmed by keyboard: arrows to each, "1" takes its best candidate', async ({ page }) => {
  await page.goto('/embeddings')
  await page.locator(`[data-testid="collection-row"][data-name="${COLLECTION}"]`).getByTestId('match-collection').click()
  await expect(page).toHaveURL(new RegExp(`/matching\\?collection=${collectionId}`))
  await expect(page.getByTestId('workbench')).toBeVisible()
  const matched = page.getByTestId('summary-matched')
  await expect(matched).toHaveText(/^\d+$/)
  const before = Number(await matched.textContent())
  for (let n = 0; n < 2; n++) {
    const id = await arrowToOurs(page)
    const best = page.getByTestId('candidate').first()
    await expect(best).toHaveAttribute('data-sku', data.expected.get(id) ?? '')
    await expect(best.getByTestId('candidate-packshot')).toBeVisible()
    if (n === 0) {
      // Off the candidates, so none is drawn hovered.
      await page.mouse.move(0, 0)
      await shot(page, 'pr-matching-queue', { fullPage: false })
    }
    await page.keyboard.press('1')
    await expect(page.getByTestId('cutout-focus')).not.toHaveAttribute('data-cutout-id', String(id))
    confirmed.push(id)
  }
  await expectMatched(page, confirmed)
  await expect(matched).toHaveText(String(before + 2))
})

test('a bulk accept above a threshold previews its count, asks, and matches the rest', async ({ page }) => {
  await page.goto(`/matching?collection=${collectionId}`)
  const rest = [...data.expected.keys()].filter((id) => !confirmed.includes(id))
  // The crops are their packshots again through one JPEG (similarity ~1); other products score below 0.995.
  const queue = await api<QueueJson>(page, 'GET', `/api/v1/pr/matching/queue?collection_id=${collectionId}&limit=200`)
  const ours = queue.items.filter((i) => rest.includes(i.cutout.id))
  expect(ours.map((i) => i.candidates[0]?.product.sku)).toEqual(ours.map((i) => data.expected.get(i.cutout.id)))
  const threshold = 0.999
  expect(Math.min(...ours.map((i) => i.candidates[0]?.similarity ?? 0))).toBeGreaterThanOrEqual(threshold)
  const preview = await api<{ count: number }>(page, 'GET', `/api/v1/pr/matching/bulk-accept/preview?collection_id=${collectionId}&threshold=${threshold}`)
  expect(preview.count).toBeGreaterThanOrEqual(rest.length)

  await page.getByTestId('bulk-threshold').fill(String(threshold))
  await expect(page.getByTestId('bulk-preview')).toHaveAttribute('data-count', String(preview.count))
  await expect(page.getByTestId('bulk-preview')).toContainText(`${preview.count} cutout`)
  await page.getByTestId('bulk-accept-open').click()
  const dialog = page.getByTestId('bulk-accept-dialog')
  await expect(dialog).toContainText(`Accept ${preview.count} cutout`)
  await shotOf(dialog, 'pr-matching-bulk-dialog')
  await dialog.getByTestId('bulk-accept-confirm').click()
  await expect(page.getByText(`Accepted ${preview.count} cutout`)).toBeVisible()
  await expectMatched(page, rest)
  await expect(page.getByTestId('bulk-preview')).toHaveAttribute('data-count', '0')
})

test('each product gained its cutout as a real-domain image', async ({ page }) => {
  for (const id of data.expected.keys()) {
    const productId = data.productIds.get(data.expected.get(id) ?? '') ?? 0
    await page.goto(`/products/${productId}`)
    await expect(page.getByTestId('domain-count-cutout')).toHaveText('1')
    await expect(page.getByTestId('domain-count-synthetic')).toHaveText('1')
  }
  await expect(page.getByTestId('domain-section-cutout').getByTestId('product-image').first()).toBeVisible()
  await shot(page, 'pr-matching-product')
})

test('a shelf photo shows every box labelled with its SKU', async ({ page }) => {
  const [imageId, cutouts] = [...data.shelves.entries()][0] ?? [0, []]
  await page.goto(`/matching?collection=${collectionId}`)
  await page.getByTestId('tab-photos').click()
  await page.locator(`[data-testid="shelf-photo"][data-image-id="${imageId}"]`).click()
  await expect(page).toHaveURL(new RegExp(`/matching/images/${imageId}`))
  const boxes = page.getByTestId('shelf-box')
  await expect(boxes).toHaveCount(cutouts.length)
  for (const id of cutouts) {
    const box = page.locator(`[data-testid="shelf-box"][data-cutout-id="${id}"]`)
    await expect(box).toHaveAttribute('data-kind', 'matched')
    await expect(box.getByTestId('shelf-box-label')).toHaveText(data.expected.get(id) ?? '')
  }
  await expect(page.getByRole('img', { name: /^Shelf photo / })).toHaveJSProperty('complete', true)
  await shot(page, 'pr-matching-shelf')
})
