/**
 * Detector training end to end: a tiny synthetic set imported and frozen as a version, the four-step
 * wizard (dataset and version → RT-DETRv2 r18 from scratch → a preset, then tiny settings and the
 * backend tests' model overrides → review with the estimate → start), a refusal shown at its field,
 * the run watched live to the end with its loss and mAP charts and log, and the runs list with its
 * status filter. Screenshots: the wizard's settings and review steps, the run detail with charts.
 */
import type { Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { apiJson, shot } from './helpers'
import { expect, test } from './fixtures'
import { makeTrainingSet, TINY_RTDETR, waitForRun, type RunJson, type TrainingSet } from './training-data'

test.use({ storageState: AUTH_STATE, viewport: { width: 1440, height: 1000 } })
// A training run on the CPU of a shared machine: minutes, not the default minute.
test.describe.configure({ mode: 'serial', timeout: 300_000 })

const stamp = Date.now().toString(36)
const RUN_NAME = `e2e tiny run ${stamp}`
let set: TrainingSet
let runId = 0

test.beforeAll(async ({ playwright, harness }) => {
  const request = await playwright.request.newContext({ baseURL: harness.baseURL, storageState: AUTH_STATE })
  set = await makeTrainingSet(request, harness.baseURL, harness.tmpDir, `Training ${stamp}`, 11)
  await request.dispose()
})

async function pickVersion(page: Page): Promise<void> {
  await page.goto('/od/training/new')
  await expect(page.getByRole('heading', { level: 1, name: 'New training run' })).toBeVisible()
  await page.getByRole('combobox', { name: 'Dataset' }).click()
  await page.getByRole('option', { name: set.datasetName, exact: true }).click()
  await page.getByTestId(`version-${set.versionNumber}`).click()
  await expect(page.getByTestId(`version-${set.versionNumber}`)).toContainText('8 train · 3 val · 3 test')
  await page.getByTestId('wizard-next').click()
}

async function pickTinyRtdetr(page: Page, screenshot?: string): Promise<void> {
  await page.getByTestId('wizard-family').getByRole('radio', { name: 'RT-DETRv2' }).click()
  await page.getByTestId('arch-rtdetrv2-r18').click()
  await expect(page.getByTestId('weights-licence')).toContainText('Apache-2.0')
  // From scratch: the tests never download weights.
  await page.getByTestId('wizard-pretrained').click()
  await expect(page.getByTestId('wizard-pretrained')).toHaveAttribute('data-state', 'unchecked')
  if (screenshot) await shot(page, screenshot)
  await page.getByTestId('wizard-next').click()
}

async function tinySettings(page: Page): Promise<void> {
  await page.getByTestId('preset-quick').click()
  await expect(page.getByTestId('wizard-epochs')).toHaveValue('10')
  await page.getByTestId('wizard-epochs').fill('2')
  await page.getByTestId('wizard-batch_size').fill('4')
  await page.getByTestId('wizard-image_size').fill('64')
  await page.getByTestId('advanced-toggle').click()
  await page.getByTestId('wizard-learning_rate').fill('0.001')
  await page.getByTestId('wizard-warmup_epochs').fill('0')
  await page.getByTestId('wizard-patience').fill('')
  await page.getByTestId('wizard-device').fill('cpu')
  await page.getByTestId('wizard-overrides').fill(JSON.stringify(TINY_RTDETR))
}

test('the wizard checks the image size against the architecture before anything is sent', async ({ page }) => {
  const runsBefore = await apiJson<{ total: number | null; items: unknown[] }>(page.request, 'GET', '/api/v1/od/training?limit=100')
  await pickVersion(page)
  await pickTinyRtdetr(page)
  await page.getByTestId('wizard-image_size').fill('100')
  await expect(page.getByTestId('error-config.image_size')).toHaveText('A multiple of 32 for this architecture.')
  await expect(page.getByTestId('wizard-next')).toBeDisabled()
  await page.getByTestId('wizard-batch_size').fill('0')
  await expect(page.getByTestId('error-config.batch_size')).toHaveText('Between 1 and 256.')
  const runsAfter = await apiJson<{ total: number | null; items: unknown[] }>(page.request, 'GET', '/api/v1/od/training?limit=100')
  expect(runsAfter.items.length).toBe(runsBefore.items.length)
})

test('YOLO-NAS says its pretrained weights are non-commercial, and what its environment needs', async ({ page }) => {
  await pickVersion(page)
  await page.getByTestId('wizard-family').getByRole('radio', { name: 'YOLO-NAS' }).click()
  await expect(page.getByTestId('weights-licence')).toContainText('non-commercial')
  await expect(page.getByTestId('weights-licence')).toContainText(/training from scratch/i)
  const card = page.getByTestId('arch-yolo-nas-s')
  if (await card.isDisabled()) {
    // Not installed on this server: the panel says how, and an admin gets the button.
    await expect(page.getByTestId('trainer-env')).toContainText('shelfscope trainers install yolo-nas')
    await expect(page.getByTestId('install-trainer')).toBeVisible()
  } else {
    await card.click()
    await expect(page.getByTestId('wizard-pretrained')).toHaveAttribute('data-state', 'unchecked')
  }
  await shot(page, 'training-wizard-yolo-nas')
})

test('the wizard starts a tiny run and its page follows it to a registered model', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await pickVersion(page)
  await pickTinyRtdetr(page, 'training-wizard-model')
  await tinySettings(page)
  await shot(page, 'training-wizard-settings')
  await page.getByTestId('wizard-next').click()
  await page.getByTestId('wizard-name').fill(RUN_NAME)
  await expect(page.getByTestId('training-estimate')).toContainText(/About .+ on /)
  await expect(page.getByTestId('wizard-summary')).toContainText(`${set.datasetName} v${set.versionNumber}`)
  await expect(page.getByTestId('wizard-summary')).toContainText('from scratch')
  await shot(page, 'training-wizard')
  await page.getByTestId('wizard-start').click()

  await expect(page).toHaveURL(/\/od\/training\/\d+$/)
  runId = Number(/\/od\/training\/(\d+)$/.exec(page.url())?.[1])
  const started = await apiJson<RunJson & { config: Record<string, unknown> }>(page.request, 'GET', `/api/v1/od/training/${runId}`)
  expect(started.name).toBe(RUN_NAME)
  expect(started.config).toMatchObject({ epochs: 2, batch_size: 4, image_size: 64, device: 'cpu', pretrained: false, learning_rate: 0.001, patience: null })
  await expect(page.getByRole('heading', { level: 1, name: RUN_NAME })).toBeVisible()

  const finished = await waitForRun(page.request, '', runId)
  expect(finished.status, finished.error ?? '').toBe('succeeded')
  await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'succeeded', { timeout: 15_000 })
  await expect(page.getByTestId('run-epoch')).toHaveText('Epoch 2 / 2')
  await expect(page.getByTestId('loss-chart').locator('.recharts-line')).toHaveCount(3)
  await expect(page.getByTestId('map-chart').locator('.recharts-line')).toHaveCount(2)
  await expect(page.getByTestId('run-log').locator('li').first()).toBeVisible()
  await expect(page.getByTestId('open-model')).toHaveAttribute('href', `/od/models/${finished.model_id}`)
  await expect(page.getByTestId('download-model')).toHaveAttribute('href', `/api/v1/od/models/${finished.model_id}/download?format=pytorch`)
  await shot(page, 'training-run-detail')
  expect(errors).toEqual([])
})

test('the runs list shows the run with its best mAP, and the status filter keeps or hides it', async ({ page }) => {
  expect(runId).toBeGreaterThan(0)
  await page.goto('/od/training')
  const row = page.getByTestId(`run-row-${runId}`)
  await expect(row).toContainText(RUN_NAME)
  await expect(row).toContainText('rtdetrv2-r18')
  await expect(row).toContainText(`${set.datasetName} v${set.versionNumber}`)
  await expect(row.getByTestId('run-best-map')).toHaveText(/^\d\.\d{3}$/)
  await page.getByTestId('run-status-filter').click()
  await page.getByRole('option', { name: 'Failed' }).click()
  await expect(row).toHaveCount(0)
  await page.getByTestId('run-status-filter').click()
  await page.getByRole('option', { name: 'Succeeded' }).click()
  await expect(row).toBeVisible()
  await shot(page, 'training-runs')
})
