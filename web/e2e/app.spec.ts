import type { Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { shot } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE })
test.describe.configure({ mode: 'serial' })

/** The grouped sidebar of the plan: [section navigation name, link, path, page heading]. */
const SIDEBAR: [string, string, string, string][] = [
  ['Main', 'Dashboard', '/od', 'Dashboard'],
  ['Product recognition', 'Products', '/products', 'Products'],
  ['Product recognition', 'Datasets', '/datasets', 'Product datasets'],
  ['Product recognition', 'Training', '/training', 'Embedding training'],
  ['Product recognition', 'Models', '/models', 'Embedding models'],
  ['Product recognition', 'Embeddings', '/embeddings', 'Embeddings'],
  ['Product recognition', 'Cutouts', '/cutouts', 'Cutouts'],
  ['Product recognition', 'Matching', '/matching', 'Matching'],
  ['Object detection', 'Images', '/od/images', 'Images'],
  ['Object detection', 'Datasets', '/od/datasets', 'Datasets'],
  ['Object detection', 'Annotate', '/od/annotate', 'Annotate'],
  ['Object detection', 'Classes', '/od/classes', 'Classes'],
  ['Object detection', 'Training', '/od/training', 'Training'],
  ['Object detection', 'Models', '/od/models', 'Models'],
  ['System', 'Jobs', '/jobs', 'Jobs'],
  ['System', 'AI models', '/settings/models', 'AI models'],
  ['Admin', 'Users', '/admin/users', 'Users'],
  ['Admin', 'Maintenance', '/admin/maintenance', 'Maintenance'],
]

test('every sidebar entry opens a page with its heading', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto('/')
  await expect(page).toHaveURL(/\/od$/)
  for (const [section, label, href, heading] of SIDEBAR) {
    await page.getByRole('navigation', { name: section }).getByRole('link', { name: label, exact: true }).click()
    await expect(page).toHaveURL(new RegExp(`${href.replace(/\//g, '\\/')}$`))
    await expect(page.getByRole('heading', { level: 1, name: heading, exact: true })).toBeVisible()
    await expect(page.getByTestId('error-boundary')).toHaveCount(0)
  }
  // Deep links to detail routes render too (served by the index.html fallback).
  for (const [href, heading] of [
    ['/od/datasets/1', 'Dataset 1'],
    ['/od/annotate/1/2', 'Annotation editor'],
    ['/od/training/new', 'New training run'],
    ['/od/models/3', 'Model 3'],
  ] as const) {
    await page.goto(href)
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible()
  }
  expect(pageErrors).toEqual([])
})

test('the dashboard shows the real image count', async ({ page, harness }) => {
  await page.goto('/od')
  const response = await page.request.get('/api/v1/od/stats')
  expect(response.ok()).toBe(true)
  const stats = (await response.json()) as { images: number; datasets: number }
  expect(stats.images).toBe(harness.seededImages)
  await expect(page.getByTestId('stat-images-value')).toHaveText(stats.images.toLocaleString('en-US'))
  await expect(page.getByTestId('stat-datasets-value')).toHaveText(String(stats.datasets))
  await expect(page.getByRole('heading', { name: 'Getting started' })).toBeVisible()
  await shot(page, 'dashboard')
})

interface JobJson {
  id: number
  kind: string
  status: string
  progress: number
  started_at: string | null
  finished_at: string | null
}

async function getJob(page: Page, id: number): Promise<JobJson> {
  const response = await page.request.get(`/api/v1/jobs/${id}`)
  expect(response.ok()).toBe(true)
  return (await response.json()) as JobJson
}

async function startVerify(page: Page): Promise<JobJson> {
  const [started] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/od/images/verify') && r.request().method() === 'POST'),
    page.getByTestId('verify-storage').click(),
  ])
  expect(started.status()).toBe(202)
  const { job } = (await started.json()) as { job: JobJson }
  expect(job.kind).toBe('od.images.verify')
  return job
}

test('verify storage can be cancelled from the UI while it runs', async ({ page }) => {
  // Verify storage lives in the admin area, not on the images page.
  await page.goto('/od/images')
  await expect(page.getByRole('heading', { level: 1, name: 'Images' })).toBeVisible()
  await expect(page.getByTestId('verify-storage')).toHaveCount(0)
  await page.goto('/admin/maintenance')
  await expect(page.getByRole('heading', { level: 1, name: 'Maintenance' })).toBeVisible()

  // Re-rendering every thumbnail of the seeded camera-sized photos takes a few seconds.
  await page.getByTestId('verify-regenerate').click()
  const job = await startVerify(page)
  const card = page.getByTestId('verify-job')
  await expect(card.getByTestId('job-status')).toHaveAttribute('data-status', 'running', { timeout: 10_000 })
  await page.getByTestId('cancel-job').click()
  await expect(card.getByTestId('job-status')).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 })

  const final = await getJob(page, job.id)
  expect(final.status).toBe('cancelled')
  // It really stopped part-way: not every image was checked.
  expect(final.progress).toBeLessThan(1)
  await shot(page, 'images-verify-cancelled')
})

test('verify storage runs to the end and shows what it found', async ({ page, harness }) => {
  await page.goto('/od/images')
  await expect(page.getByTestId('library-size')).toHaveText(String(harness.seededImages))
  await page.goto('/admin/maintenance')
  const job = await startVerify(page)
  const card = page.getByTestId('verify-job')
  await expect(card).toHaveAttribute('data-job-id', String(job.id))
  await expect(card.getByTestId('job-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 })
  await expect(page.getByTestId('verify-checked')).toHaveText(String(harness.seededImages))
  await expect(page.getByTestId('verify-missing')).toHaveText('0')
  await expect(page.getByTestId('verify-hash_mismatch')).toHaveText('0')
  await shot(page, 'images-verify-result')
})

test('the jobs page lists the jobs and opens one', async ({ page }) => {
  await page.goto('/jobs')
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible()
  const rows = page.getByRole('table', { name: 'Jobs' }).locator('tbody tr')
  await expect(rows.first()).toBeVisible()
  await expect(rows.first().getByTestId('job-status')).toHaveAttribute('data-status', 'succeeded')
  await shot(page, 'jobs')

  await rows.first().getByRole('link').first().click()
  await expect(page).toHaveURL(/\/jobs\/\d+$/)
  await expect(page.getByRole('heading', { level: 1, name: /Verify storage #\d+/ })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Logs' })).toBeVisible()
  await shot(page, 'job-detail')
})
