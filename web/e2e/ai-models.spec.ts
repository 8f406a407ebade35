import fs from 'node:fs'
import path from 'node:path'
import { AUTH_STATE, SCREENSHOT_DIR } from './harness'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE })

// global-setup.ts seeds this one model folder into the server's data folder.
const PRESENT = 'florence-2-large'
const MISSING = 'grounding-dino-tiny'

test('the AI models page lists an installed model and a missing one with the offline path', async ({ page, harness }) => {
  await page.goto('/od')
  await page.getByRole('navigation', { name: 'System' }).getByRole('link', { name: 'AI models', exact: true }).click()
  await expect(page).toHaveURL(/\/settings\/models$/)
  await expect(page.getByRole('heading', { level: 1, name: 'AI models', exact: true })).toBeVisible()

  const present = page.locator(`[data-testid="ai-model-row"][data-key="${PRESENT}"]`)
  await expect(present).toContainText('Florence-2 large')
  await expect(present).toContainText('Present')
  await expect(present.getByTestId('size-on-disk')).not.toHaveText('—')
  await expect(present.getByRole('button', { name: 'Delete Florence-2 large' })).toBeVisible()

  const missing = page.locator(`[data-testid="ai-model-row"][data-key="${MISSING}"]`)
  await expect(missing).toContainText('Missing')
  await expect(missing).toContainText('Text prompt')
  await expect(missing.getByTestId('size-on-disk')).toHaveText('—')
  await expect(missing.getByRole('button', { name: 'Fetch Grounding DINO (Swin-T)' })).toBeEnabled()

  await expect(page.getByTestId('ai-model-row')).toHaveCount(15)
  // The product-recognition backbones are listed too; DINOv3's weights are gated on the hub.
  const gated = page.locator('[data-testid="ai-model-row"][data-key="dinov3-base"]')
  await expect(gated).toContainText('Embedder')
  await expect(gated).toContainText('SHELFSCOPE_ML_HUB_TOKEN')
  await expect(page.getByTestId('models-summary')).toHaveText(/^1 of 15 installed/)
  const note = page.getByTestId('weights-note')
  await expect(note).toContainText('Grounding DINO 1.5 is not among these')
  await expect(note).toContainText(`${path.join(harness.dataDir, 'models')}/<key>`)

  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'ai-models.png'), fullPage: true })
})
