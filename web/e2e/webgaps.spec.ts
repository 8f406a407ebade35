/**
 * Gaps a new user hit (issue 10, items 18 and 21): the dataset images tab (filename search, boxes on
 * thumbnails, bulk status and split), the jobs page (kind in words, the file or dataset on each row)
 * and a class history that lists only what changed. Screenshots go to e2e/screenshots/.
 */
import { AUTH_STATE } from './harness'
import { api, shot } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE })
test.describe.configure({ mode: 'serial' })

const STAMP = Date.now().toString(36)

interface Img {
  id: number
  filename: string
  width: number
  height: number
}

let datasetId = 0
let classId = 0
let images: Img[] = []

test('a dataset with boxes on some of its images', async ({ page }) => {
  await page.goto('/')
  const cls = await api<{ id: number }>(page, 'POST', '/api/v1/od/classes', { name: `cola-${STAMP}`, color: '#e11d48' })
  const other = await api<{ id: number }>(page, 'POST', '/api/v1/od/classes', { name: `water-${STAMP}`, color: '#2563eb' })
  classId = cls.id
  const dataset = await api<{ id: number }>(page, 'POST', '/api/v1/od/datasets', { name: `Gaps ${STAMP}` })
  datasetId = dataset.id
  images = (await api<{ items: Img[] }>(page, 'GET', '/api/v1/od/images?limit=12')).items
  await api(page, 'POST', `/api/v1/od/datasets/${datasetId}/images`, { image_ids: images.map((i) => i.id) })
  const items = images.slice(0, 6).flatMap((img, n) =>
    [0, 1, 2].map((k) => ({
      image_id: img.id,
      class_id: k === 2 ? other.id : cls.id,
      x1: img.width * (0.08 + 0.3 * k),
      y1: img.height * (0.15 + 0.05 * n),
      x2: img.width * (0.3 + 0.3 * k),
      y2: img.height * (0.7 + 0.03 * k),
    })),
  )
  await api(page, 'POST', '/api/v1/od/annotations/bulk', { dataset_id: datasetId, items })
  await api(page, 'PATCH', `/api/v1/od/classes/${classId}`, { color: '#16a34a', description: 'Cans and bottles' })
})

test('the images tab searches names, draws boxes on thumbnails and sets status in bulk', async ({ page }) => {
  await page.goto(`/od/datasets/${datasetId}`)
  await page.getByRole('tab', { name: /Images/ }).click()
  const cards = page.getByTestId('dataset-image')
  await expect(cards).toHaveCount(12)
  await expect(page.getByTestId('thumbnail-boxes')).toHaveCount(6)
  await expect(page.getByTestId('thumbnail-boxes').first().locator('rect')).toHaveCount(3)
  await expect(cards.filter({ has: page.getByTestId('thumbnail-boxes') }).first()).toContainText('3 boxes')

  await page.getByTestId('dataset-image').nth(0).getByRole('checkbox').check()
  await page.getByTestId('dataset-image').nth(1).getByRole('checkbox').check()
  const bar = page.getByTestId('images-bulk-bar')
  await expect(bar).toContainText('2 images selected')
  await shot(page, 'dataset-images-tab')
  await bar.getByRole('button', { name: /Set status or split/ }).click()
  await page.getByRole('menuitem', { name: 'Completed' }).click()
  await expect(page.getByText('2 images: Completed')).toBeVisible()
  await bar.getByRole('button', { name: /Set status or split/ }).click()
  await page.getByRole('menuitem', { name: 'val', exact: true }).click()
  await expect(page.getByText('2 images: split val')).toBeVisible()
  const page1 = await api<{ items: { image_id: number; status: string; split: string | null }[] }>(
    page,
    'GET',
    `/api/v1/od/datasets/${datasetId}/images?limit=2`,
  )
  expect(page1.items.map((i) => [i.status, i.split])).toEqual([
    ['completed', 'val'],
    ['completed', 'val'],
  ])

  const name = images[3].filename
  await page.getByRole('searchbox', { name: 'Search file names' }).fill(name)
  await expect(cards).toHaveCount(1)
  await expect(cards.first()).toContainText(name)
  await page.getByRole('searchbox', { name: 'Search file names' }).fill('no-such-file-anywhere')
  await expect(page.getByText('No images match')).toBeVisible()
})

test('the jobs page names kinds in words and shows the file or dataset of each job', async ({ page }) => {
  await page.goto('/')
  const started = await api<{ job: { id: number } }>(page, 'POST', `/api/v1/od/datasets/${datasetId}/export/coco`, {})
  await expect
    .poll(async () => (await api<{ status: string }>(page, 'GET', `/api/v1/jobs/${started.job.id}`)).status, { timeout: 30_000 })
    .toBe('succeeded')
  await page.goto('/jobs')
  const row = page.getByTestId(`job-row-${started.job.id}`)
  await expect(row).toContainText('Export')
  await expect(row.getByTestId('job-label')).toContainText('.zip')
  await expect(row).not.toContainText('od.exports.run')
  await expect(page.getByText('Traceback')).toHaveCount(0)
  await shot(page, 'jobs-page')
})

test('class history lists only the fields that changed', async ({ page }) => {
  await page.goto('/od/classes')
  await page.getByRole('button', { name: 'History' }).first().click()
  const sheet = page.getByTestId('class-history')
  const update = sheet.locator('[data-testid="history-row"][data-action="update"]').first()
  await expect(update).toContainText('Colour')
  await expect(update).toContainText('Description')
  await expect(update).not.toContainText('Display name')
  await expect(sheet).not.toContainText('{')
  await shot(page, 'class-history')
})

test('table-view thumbnails keep their size in a narrow window', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 800 })
  await page.goto('/od/images')
  await page.getByRole('button', { name: 'Table view' }).click()
  const thumb = page.getByTestId('table-thumbnail').first()
  await expect(thumb).toBeVisible()
  const box = await thumb.boundingBox()
  expect(box?.width ?? 0).toBeGreaterThanOrEqual(55)
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(39)
})
