/**
 * Embedding training end to end (issue 14's "Done means"): ten products with twelve images each in a
 * product dataset of their own and a tiny DINOv2 in the server's models folder; a run created in the
 * dialog (first refused for too little data, with the counts), watched to the end in the runs list, its
 * page with the loss / learning-rate / retrieval charts, checkpoints and the test evaluation; the best
 * checkpoint registered as a model; a delete of that checkpoint asking before it forces. Screenshots of each.
 */
import type { Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { api, shot, shotOf } from './helpers'
import { expect, test } from './fixtures'
import { installTinyEmbedder, PRODUCT_COUNT, seedTrainingProducts, TINY_BACKBONE, type TrainingProducts } from './pr-training-data'

test.use({ storageState: AUTH_STATE, viewport: { width: 1440, height: 1000 } })
// Seeding 120 images and a two-epoch run on the CPU of a shared machine.
test.describe.configure({ mode: 'serial', timeout: 300_000 })

const stamp = Date.now().toString(36)
const RUN_NAME = `e2e embeddings ${stamp}`
const MODEL_NAME = `e2e embedder ${stamp}`
let data: TrainingProducts
let runId = 0

test.beforeAll(async ({ playwright, harness }) => {
  installTinyEmbedder(harness.dataDir)
  const request = await playwright.request.newContext({ baseURL: harness.baseURL, storageState: AUTH_STATE })
  data = await seedTrainingProducts(request, harness.baseURL, harness.tmpDir, stamp)
  await request.dispose()
})

async function pick(page: Page, triggerTestId: string, option: string | RegExp): Promise<void> {
  await page.getByTestId(triggerTestId).click()
  await page.getByRole('option', { name: option }).click()
}

/** The tiny method: two epochs of three P×K = 4×4 batches at 32 px on the CPU. */
async function tinySettings(page: Page): Promise<void> {
  const dialog = page.getByTestId('create-pr-run-dialog')
  for (const [field, value] of [['epochs', '2'], ['products_per_batch', '4'], ['images_per_product', '4'], ['image_size', '32'], ['embedding_dim', '32']] as const)
    await dialog.getByTestId(`pr-run-${field}`).fill(value)
  await dialog.getByTestId('pr-run-advanced-toggle').click()
  for (const [field, value] of [['warmup_epochs', '0'], ['patience', '0'], ['batches_per_epoch', '3'], ['learning_rate', '0.001']] as const)
    await dialog.getByTestId(`pr-run-${field}`).fill(value)
  await pick(page, 'pr-run-device', 'cpu')
  await dialog.getByTestId('pr-run-mixed_precision').click()
  await expect(dialog.getByTestId('pr-run-mixed_precision')).toHaveAttribute('data-state', 'unchecked')
}

test('the dialog refuses too little data with the counts, then starts a tiny run on the product dataset', async ({ page }) => {
  expect(data.images).toBe(PRODUCT_COUNT * 12)
  await page.goto('/training')
  await expect(page.getByRole('heading', { level: 1, name: 'Embedding training' })).toBeVisible()
  await page.getByTestId('new-pr-run').click()
  const dialog = page.getByTestId('create-pr-run-dialog')
  await expect(dialog.getByTestId(`backbone-${TINY_BACKBONE}`)).toContainText('installed')
  await dialog.getByTestId(`backbone-${TINY_BACKBONE}`).click()
  await dialog.getByTestId('pr-run-name').fill(RUN_NAME)
  await pick(page, 'pr-run-source', 'A product dataset')
  await pick(page, 'pr-run-dataset', new RegExp(`^${data.datasetName} · ${PRODUCT_COUNT} products$`))
  for (const [split, share] of [['train', '0.6'], ['val', '0.2'], ['test', '0.2']] as const) await dialog.getByTestId(`pr-run-split-${split}`).fill(share)
  await tinySettings(page)
  // Thirteen images a product: more than any has, so nothing is left to train on.
  await dialog.getByTestId('pr-run-min-images').fill('13')
  await dialog.getByTestId('start-pr-run').click()
  const refusal = dialog.getByTestId('data-shortfall')
  await expect(refusal).toContainText(`0 of ${PRODUCT_COUNT} products and 0 of 100 images needed`)
  await shotOf(dialog, 'pr-training-refused')
  await dialog.getByTestId('pr-run-min-images').fill('2')
  await expect(refusal).toHaveCount(0)
  await shot(page, 'pr-training-dialog')
  await dialog.getByTestId('start-pr-run').click()
  await expect(page).toHaveURL(/\/training\/\d+/)
  runId = Number(/\/training\/(\d+)/.exec(page.url())?.[1])
  expect(runId).toBeGreaterThan(0)
  await expect(page.getByRole('heading', { level: 1, name: RUN_NAME })).toBeVisible()
})

test('the runs list follows the run to the end; its page shows the curves, checkpoints and the test evaluation', async ({ page }) => {
  test.setTimeout(420_000)
  await page.goto('/training')
  const row = page.locator(`[data-testid="pr-run-row"][data-run-id="${runId}"]`)
  await expect(row).toBeVisible()
  await shot(page, 'pr-training-runs-live', { fullPage: false })
  // The list polls every 5 s while a run is live; nothing reloads the page.
  await expect(row).toHaveAttribute('data-status', 'succeeded', { timeout: 360_000 })
  await expect(row.getByTestId('pr-run-best-r1')).toHaveText(/^\d+\.\d%$/)
  await expect(row.getByTestId('pr-run-epoch')).toHaveText('Epoch 2 / 2')
  // The bar is full once its transition ends.
  const bar = row.getByTestId('pr-run-progress').locator('[role="progressbar"] > div')
  await expect.poll(() => bar.evaluate((el) => getComputedStyle(el).transform)).toBe('matrix(1, 0, 0, 1, 0, 0)')
  await shot(page, 'pr-training-runs', { fullPage: false })

  // The frozen list splits by product: no product in two splits.
  const splits: Record<string, Set<number>> = {}
  for (const split of ['train', 'val', 'test']) {
    const listed = await api<{ items: { product_id: number }[] }>(page, 'GET', `/api/v1/pr/training/${runId}/images?split=${split}&limit=200`)
    splits[split] = new Set(listed.items.map((i) => i.product_id))
  }
  expect([...splits.train!].filter((p) => splits.val!.has(p) || splits.test!.has(p))).toEqual([])
  expect(splits.train!.size + splits.val!.size + splits.test!.size).toBe(PRODUCT_COUNT)

  await row.getByRole('link', { name: RUN_NAME }).click()
  await expect(page.getByTestId('pr-run-detail')).toHaveAttribute('data-status', 'succeeded')
  for (const chart of ['pr-loss-chart', 'pr-retrieval-chart', 'pr-lr-chart']) await expect(page.getByTestId(chart)).toBeVisible()
  await shot(page, 'pr-training-run')

  await page.getByTestId('tab-checkpoints').click()
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(2)
  await expect(page.locator('[data-testid="checkpoint-row"][data-best="true"]')).toHaveCount(1)

  await page.getByTestId('tab-evaluation').click()
  const report = page.getByTestId('evaluation-report')
  await expect(report).toBeVisible()
  await expect(report.getByTestId('figure-recall_at_1')).toContainText('%')
  // Every test product has studio (synthetic) and store (real) images: both directions are measured.
  await expect(report.getByTestId('cross-domain-row')).toHaveCount(2)
  await expect(report.getByTestId('cross-domain')).toContainText('Real')
  await expect(report.getByTestId('per-category')).toBeVisible()
  // Tall enough for the whole report (the app scrolls inside its main pane, not the page).
  await page.setViewportSize({ width: 1440, height: 2600 })
  // Hard cases show the query and its neighbours as real thumbnails.
  const thumb = report.getByTestId('hard-case').first().getByTestId('strip-query').locator('img')
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  await shotOf(report, 'pr-training-evaluation')
})

test('the best checkpoint registers as a model with its test metrics; deleting that checkpoint asks before forcing', async ({ page }) => {
  const evaluation = await api<{ metrics: { recall_at_1: number } }>(page, 'GET', `/api/v1/pr/training/${runId}/evaluation`)
  await page.goto(`/training/${runId}?tab=checkpoints`)
  const best = page.locator('[data-testid="checkpoint-row"][data-best="true"]')
  await best.getByTestId('register-checkpoint').click()
  const dialog = page.getByTestId('register-model-dialog')
  await dialog.getByTestId('register-name').fill(MODEL_NAME)
  await dialog.getByTestId('register-confirm').click()
  await expect(page).toHaveURL(/\/models\/\d+$/)
  const modelId = Number(/\/models\/(\d+)$/.exec(page.url())?.[1])
  const detail = page.getByTestId('pr-model-detail')
  await expect(detail).toHaveAttribute('data-status', 'ready', { timeout: 60_000 })
  await expect(page.getByRole('heading', { level: 1, name: MODEL_NAME })).toBeVisible()
  await expect(page.getByTestId('pr-model-metrics').getByTestId('figure-recall_at_1')).toContainText(`${(evaluation.metrics.recall_at_1 * 100).toFixed(1)}%`)
  await shot(page, 'pr-model-detail')

  await page.goto('/models')
  await expect(page.getByRole('heading', { level: 1, name: 'Embedding models' })).toBeVisible()
  await expect(page.locator(`[data-testid="pr-model-row"][data-model-id="${modelId}"]`)).toContainText(MODEL_NAME)
  await shot(page, 'pr-models', { fullPage: false })

  await page.goto(`/training/${runId}?tab=checkpoints`)
  await best.getByTestId('delete-checkpoint').click()
  const confirm = page.getByTestId('force-delete-dialog')
  await confirm.getByTestId('force-delete-confirm').click()
  await expect(confirm.getByTestId('linked-models')).toContainText(`Model #${modelId}`)
  await expect(confirm.getByTestId('force-delete-confirm')).toHaveText('Delete anyway')
  await shotOf(confirm, 'pr-checkpoint-force-delete')
  await confirm.getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(2)
})

test('two models of the run compare: metrics aligned with the best marked, a chart, the same queries through each', async ({ page }) => {
  // The first epoch's checkpoint as a second model: it has no evaluation yet, so one is queued.
  await page.goto(`/training/${runId}?tab=checkpoints`)
  await page.locator('[data-testid="checkpoint-row"][data-epoch="1"]').getByTestId('register-checkpoint').click()
  const dialog = page.getByTestId('register-model-dialog')
  await dialog.getByTestId('register-name').fill(`${MODEL_NAME} e1`)
  await dialog.getByTestId('register-confirm').click()
  await expect(page.getByTestId('pr-model-detail')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 })

  await page.goto('/models')
  const rows = page.getByTestId('pr-model-row').filter({ hasText: MODEL_NAME })
  await expect(rows).toHaveCount(2)
  for (const row of await rows.all()) await row.getByTestId('pick-model').click()
  await page.getByRole('link', { name: 'Compare 2' }).click()
  const table = page.getByTestId('pr-compare-table')
  // The best of a row is marked (both, when they tie).
  await expect(table.getByTestId('pr-compare-recall_at_1').locator('[data-best]').first()).toBeVisible()
  await expect(page.getByTestId('pr-compare-chart')).toBeVisible()
  await page.getByTestId('start-visual-compare').click()
  const grid = page.getByTestId('visual-compare-grid')
  await expect(grid).toBeVisible({ timeout: 120_000 })
  // Eight queries, each with both models' five nearest images.
  await expect(grid.getByTestId('visual-query')).toHaveCount(8)
  await expect(grid.getByTestId('visual-query').first().getByTestId('neighbour-strip')).toHaveCount(2)
  await expect(grid.getByTestId('visual-query').first().getByTestId('strip-neighbour')).toHaveCount(10)
  await page.setViewportSize({ width: 1440, height: 2400 })
  await shot(page, 'pr-models-compare')
})
