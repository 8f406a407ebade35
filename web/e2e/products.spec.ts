/**
 * Product recognition, data side, end to end (issue 13's "Done means"): the shared products set imported
 * as a catalogue (CSV + images zip, `product_id` as the SKU column, studio/store/shelf mapped to
 * synthetic/real/cutout); the list's search, domain filter and load-more; a product opened with its
 * domains, a hand-made cutout uploaded so it has three; a short video whose frames appear; cutouts made
 * from an annotated dataset of shelf photos, one rejected, one matched; a PR dataset with a minimum of 5
 * images showing its charts and excluded products, then frozen. Screenshots of each page.
 */
import type { Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { shot, shotOf } from './helpers'
import { expect, test } from './fixtures'
import { CATALOGUE_CSV, importShelves, SKU, writeProductFiles, type ProductFiles } from './products-data'

test.use({ storageState: AUTH_STATE, viewport: { width: 1440, height: 1000 } })
// A 16 MB catalogue import, a video extraction and a cutout job on the CPU of a shared machine.
test.describe.configure({ mode: 'serial', timeout: 300_000 })

const stamp = Date.now().toString(36)
const SHELF_CLASS = `product-${stamp}`
const SHELF_DATASET = `Shelves ${stamp}`
let files: ProductFiles
let shelvesId = 0

test.beforeAll(async ({ playwright, harness }) => {
  files = writeProductFiles(`${harness.tmpDir}/products-${stamp}`, SHELF_CLASS)
  const request = await playwright.request.newContext({ baseURL: harness.baseURL, storageState: AUTH_STATE })
  shelvesId = await importShelves(request, harness.baseURL, files.shelvesZip, SHELF_DATASET)
  await request.dispose()
})

async function pick(page: Page, triggerTestId: string, option: string): Promise<void> {
  await page.getByTestId(triggerTestId).click()
  await page.getByRole('option', { name: option, exact: true }).click()
}

async function openProduct(page: Page, sku: string): Promise<void> {
  await page.goto(`/products?q=${encodeURIComponent(sku)}`)
  await page.locator(`[data-testid="product-row"][data-sku="${sku}"]`).click()
  await expect(page.getByTestId('product-detail')).toBeVisible()
}

test('the shared products set imports as a catalogue with its images in three domains', async ({ page }) => {
  // 720 images decoded, hashed and thumbnailed: minutes on a loaded machine.
  test.setTimeout(900_000)
  await page.goto('/products')
  await expect(page.getByRole('heading', { level: 1, name: 'Products' })).toBeVisible()
  await page.getByTestId('import-catalogue').click()
  const dialog = page.getByTestId('catalogue-import-dialog')
  await dialog.getByTestId('catalogue-file').setInputFiles(CATALOGUE_CSV)
  await dialog.getByTestId('catalogue-images').setInputFiles(files.imagesZip)
  // The header is read in the browser: no column is called sku, so the import waits for one.
  await expect(dialog.getByTestId('catalogue-form-problem')).toContainText('sku')
  await expect(dialog.getByTestId('start-catalogue-import')).toBeDisabled()
  await pick(page, 'column-sku', 'product_id')
  for (const [i, [folder, domain]] of [['studio', 'Synthetic'], ['store', 'Real'], ['shelf', 'Cutout']].entries()) {
    await dialog.getByTestId('add-domain-row').click()
    await dialog.getByTestId(`domain-folder-${i}`).fill(folder ?? '')
    await pick(page, `domain-value-${i}`, domain ?? '')
  }
  await shotOf(dialog, 'pr-catalogue-import-form')
  await dialog.getByTestId('start-catalogue-import').click()
  const job = dialog.getByTestId('catalogue-job')
  await expect(job).toHaveAttribute('data-status', 'succeeded', { timeout: 840_000 })
  await expect(dialog.getByTestId('catalogue-products-created')).toHaveText('54')
  await expect(dialog.getByTestId('catalogue-images-stored')).toHaveText('720')
  await shotOf(dialog, 'pr-catalogue-import-done')
  await page.keyboard.press('Escape')

  await expect(page.getByTestId('shown-count')).toHaveText(/^Showing (50|54) of 54 products$/)
  await shot(page, 'pr-products-list', { fullPage: false })
  // The next page comes as the end of the list scrolls into view (keyset cursor).
  await page.getByTestId('load-more-row').scrollIntoViewIfNeeded()
  await expect(page.getByTestId('product-row')).toHaveCount(54)
  await expect(page.getByTestId('shown-count')).toHaveText('Showing 54 of 54 products')
  await expect(page.getByTestId('load-more')).toHaveCount(0)
})

test('the list searches, filters by domain and sorts', async ({ page }) => {
  await page.goto('/products')
  await page.getByTestId('products-search').fill('Arla')
  await expect(page.getByTestId('shown-count')).toHaveText('Showing 4 of 4 products')
  await page.getByTestId('products-search').fill('')
  await pick(page, 'product-domain-filter', 'No cutout images')
  await expect(page.getByTestId('shown-count')).toHaveText('Showing 18 of 18 products')
  await expect(page).toHaveURL(/missing=cutout/)
  await pick(page, 'products-sort', 'SKU')
  await expect(page.getByTestId('product-row').first()).toHaveAttribute('data-sku', 'gsd_Arla-Ecological-Medium-Fat-Milk')
  await shot(page, 'pr-products-filtered', { fullPage: false })
})

test('a product shows its images by domain, and a cutout uploaded makes three', async ({ page }) => {
  await openProduct(page, SKU)
  await expect(page.getByTestId('domain-count-synthetic')).toHaveText('1')
  await expect(page.getByTestId('domain-count-real')).toHaveText('15')
  await expect(page.getByTestId('domain-section-real').getByTestId('product-image')).toHaveCount(15)
  await page.getByTestId('upload-images').click()
  const dialog = page.getByTestId('upload-images-dialog')
  await dialog.getByTestId('upload-domain').getByRole('radio', { name: 'Cutout' }).click()
  await dialog.getByTestId('upload-images-input').setInputFiles(files.cutout)
  await dialog.getByTestId('upload-images-start').click()
  await expect(dialog.getByTestId('upload-images-result')).toContainText('1 image stored')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('domain-count-cutout')).toHaveText('1')
  for (const domain of ['synthetic', 'real', 'cutout']) {
    await expect(page.getByTestId(`domain-section-${domain}`).getByTestId('product-image').first()).toBeVisible()
  }
  await shot(page, 'pr-product-detail')
})

test('a short video uploaded to a product gives frames in its synthetic images', async ({ page }) => {
  await openProduct(page, SKU)
  const form = page.getByTestId('video-upload-form')
  await form.getByTestId('video-file').setInputFiles(files.video)
  await form.getByTestId('every-s').fill('0.5')
  await form.getByTestId('max-frames').fill('6')
  await form.getByTestId('upload-video').click()
  const video = page.getByTestId('product-video').first()
  await expect(video).toHaveAttribute('data-status', 'ready', { timeout: 120_000 })
  await expect(video.getByTestId('video-frames')).toHaveText('6 frames')
  const synthetic = page.getByTestId('domain-section-synthetic')
  await expect(synthetic.getByTestId('frame-caption')).toHaveCount(6)
  await expect(page.getByTestId('domain-count-synthetic')).toHaveText('7')
  await synthetic.scrollIntoViewIfNeeded()
  await shot(page, 'pr-product-video-frames')
})

test('cutouts made from an annotated dataset show beside their shelf box; one rejected, one matched', async ({ page }) => {
  await page.goto('/cutouts')
  await expect(page.getByRole('heading', { level: 1, name: 'Cutouts' })).toBeVisible()
  await page.getByTestId('make-cutouts').click()
  const dialog = page.getByTestId('make-cutouts-dialog')
  await page.getByTestId('make-dataset').click()
  await page.getByRole('option', { name: new RegExp(`^${SHELF_DATASET}`) }).click()
  await expect(dialog.getByTestId(`make-class-${SHELF_CLASS}`)).toBeVisible()
  await shotOf(dialog, 'pr-make-cutouts')
  await dialog.getByTestId('start-make-cutouts').click()
  await expect(dialog.getByTestId('make-cutouts-result')).toContainText('18 new cutouts from 3 images', { timeout: 120_000 })
  await page.keyboard.press('Escape')

  const cards = page.getByTestId('cutout-card')
  await expect(cards).toHaveCount(18)
  await expect(cards.first().getByTestId('shelf-box')).toBeVisible()
  await shot(page, 'pr-cutouts', { fullPage: false })

  const first = cards.first()
  await first.getByTestId('reject-cutout').click()
  await expect(first).toHaveAttribute('data-state', 'rejected')
  const second = cards.nth(1)
  await second.getByTestId('match-cutout').click()
  await page.getByTestId('match-cutout-search').fill('Arla Standard')
  await page.locator(`[data-testid="product-option"][data-sku="${SKU}"]`).click()
  await expect(second).toHaveAttribute('data-state', 'matched')
  await expect(second.getByTestId('cutout-product')).toHaveText('Arla Standard Milk')

  await page.getByTestId('cutout-state-filter').getByRole('radio', { name: 'Rejected' }).click()
  await expect(cards).toHaveCount(1)
  await page.getByTestId('cutout-state-filter').getByRole('radio', { name: 'Unmatched' }).click()
  await expect(cards).toHaveCount(16)
  await cards.nth(0).getByTestId('select-cutout').click()
  await cards.nth(2).getByTestId('select-cutout').click({ modifiers: ['Shift'] })
  await expect(page.getByTestId('selected-count')).toHaveText('3 cutouts selected')
  await shot(page, 'pr-cutouts-selected', { fullPage: false })
  await page.getByTestId('bulk-reject').click()
  await expect(cards).toHaveCount(13)
  expect(shelvesId).toBeGreaterThan(0)
})

test('a PR dataset with a minimum of 5 images shows its charts and excluded products, and freezes', async ({ page }) => {
  await page.goto('/datasets')
  await expect(page.getByRole('heading', { level: 1, name: 'Product datasets' })).toBeVisible()
  await page.getByTestId('new-pr-dataset').click()
  const dialog = page.getByTestId('create-pr-dataset-dialog')
  await dialog.getByLabel('Name').fill(`Packshots and store ${stamp}`)
  // Synthetic and real only: the GroZi products (shelf crops only) fall below the minimum.
  await dialog.getByTestId('dataset-domain-augmented').click()
  await dialog.getByTestId('dataset-domain-cutout').click()
  await dialog.getByTestId('dataset-min-images').fill('5')
  await dialog.getByTestId('create-pr-dataset').click()
  await expect(page.getByTestId('pr-dataset-detail')).toBeVisible()
  await expect(page.getByTestId('stat-products')).toHaveText('18')
  await expect(page.getByTestId('stat-excluded')).toHaveText('36')
  await expect(page.getByTestId('domain-chart').locator('.recharts-bar-rectangle')).toHaveCount(2)
  await expect(page.getByTestId('distribution-chart').locator('.recharts-bar-rectangle').first()).toBeVisible()
  await expect(page.getByTestId('excluded-row')).toHaveCount(36)
  await expect(page.getByTestId('excluded-row').first()).toHaveAttribute('data-sku', /^grozi_/)
  await page.getByTestId('freeze-version').click()
  await expect(page.getByTestId('pr-version')).toHaveCount(1)
  await shot(page, 'pr-dataset-detail')
  await page.goto('/datasets')
  await expect(page.getByTestId('pr-dataset-card').first()).toBeVisible()
  await shot(page, 'pr-datasets-list', { fullPage: false })
})
