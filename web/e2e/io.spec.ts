/**
 * Dataset import, versions and export end to end against the real server of globalSetup: a real
 * Pascal VOC archive (the raccoon photos and their labelImg XML) imported through the modal with its
 * report, a version with a split, YOLO and COCO exports downloaded, and an unsafe archive refused.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { AUTH_STATE, REPO_ROOT } from './harness'
import { apiJson, shot } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE })
test.describe.configure({ mode: 'serial' })

const RACCOON = path.join(REPO_ROOT, '..', 'shared', 'data', 'detection', 'raccoon')
const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python')
const STAMP = Date.now().toString(36)
const DATASET = `Raccoons VOC ${STAMP}`
// SOURCES.md: 200 JPGs, 200 labelImg XMLs, 217 boxes, all `raccoon`, none outside its image.
// Four of the JPGs are byte-identical to others: the import merges them, so 196 distinct images.
const RACCOON_LISTED = 200
const RACCOON_IMAGES = 196
// 217 boxes are read; four byte-identical photo pairs each carry the same box twice, merged on import.
const RACCOON_BOXES_READ = 217
const RACCOON_BOXES = 213

let workDir = ''
let raccoonZip = ''
let evilZip = ''
let datasetId = 0

/** Zip files with Python's zipfile (no Node zip library here): [name in archive, path or text]. */
function makeZip(target: string, members: { name: string; file?: string; text?: string }[]): void {
  const script = [
    'import json, sys, zipfile',
    'members = json.load(open(sys.argv[2]))',
    "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:",
    '    for m in members:',
    "        if m.get('file'): z.write(m['file'], m['name'])",
    "        else: z.writestr(m['name'], m['text'])",
  ].join('\n')
  const list = path.join(workDir, `${path.basename(target)}.json`)
  fs.writeFileSync(list, JSON.stringify(members))
  const made = spawnSync(PYTHON, ['-c', script, target, list], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`zip failed: ${made.stderr}`)
}

interface Counted {
  items: { id: number; name?: string }[]
  total: number | null
}

interface VersionJson {
  number: number
  status: string
  counts: { images: Record<string, number>; annotations: Record<string, number>; total_images: number; total_annotations: number }
}

/** Download the export behind the page's Download link; check it is a whole zip of the reported size. */
async function download(page: Page, link: ReturnType<Page['getByTestId']>): Promise<number> {
  const href = await link.getAttribute('href')
  expect(href).toMatch(/^\/api\/v1\/od\/export\/\d+\/download$/)
  const response = await page.request.get(href ?? '')
  expect(response.status()).toBe(200)
  expect(response.headers()['content-type']).toContain('application/zip')
  const body = await response.body()
  expect(body.subarray(0, 2).toString('latin1')).toBe('PK')
  expect(Number(response.headers()['content-length'])).toBe(body.length)
  const jobId = /\/export\/(\d+)\/download/.exec(href ?? '')?.[1]
  const job = await apiJson<{ result: { size_bytes: number } }>(page.request, 'GET', `/api/v1/jobs/${jobId}`)
  expect(body.length).toBe(job.result.size_bytes)
  return body.length
}

test.beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfscope-io-e2e-'))
  raccoonZip = path.join(workDir, 'raccoon-voc.zip')
  const members: { name: string; file: string }[] = []
  for (const folder of ['images', 'annotations']) {
    for (const name of fs.readdirSync(path.join(RACCOON, folder)).sort()) {
      members.push({ name: `${folder}/${name}`, file: path.join(RACCOON, folder, name) })
    }
  }
  makeZip(raccoonZip, members)
  evilZip = path.join(workDir, 'evil.zip')
  makeZip(evilZip, [
    { name: 'annotations/raccoon-1.xml', file: path.join(RACCOON, 'annotations', 'raccoon-1.xml') },
    { name: '../evil.txt', text: 'this must never be written outside the import folder' },
  ])
})

test.afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true })
})

async function openImportTab(page: Page) {
  await page.goto('/od/images')
  await page.getByTestId('open-import').click()
  const dialog = page.getByTestId('import-dialog')
  await dialog.getByRole('tab', { name: 'Import dataset' }).click()
  return dialog
}

test('import a real Pascal VOC archive and read its report', async ({ page }) => {
  test.setTimeout(180_000)
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  const dialog = await openImportTab(page)
  await dialog.getByTestId('import-format').getByRole('radio', { name: 'Pascal VOC' }).click()
  await dialog.getByTestId('import-target').getByRole('radio', { name: 'New dataset' }).click()
  await dialog.getByTestId('import-dataset-name').fill(DATASET)
  await dialog.getByTestId('import-file').setInputFiles(raccoonZip)
  await expect(dialog.getByTestId('import-file-name')).toHaveText('raccoon-voc.zip')
  await dialog.getByTestId('start-import').click()

  const report = dialog.getByTestId('import-report')
  await expect(report).toBeVisible({ timeout: 150_000 })
  await expect(report).toHaveAttribute('data-outcome', 'imported')
  await expect(dialog.getByTestId('import-job')).toHaveAttribute('data-status', 'succeeded')
  await expect(report.getByTestId('report-annotations-imported')).toHaveText(String(RACCOON_BOXES))
  await expect(report.getByTestId('report-annotations-read')).toHaveText(String(RACCOON_BOXES_READ))
  await expect(report.getByTestId('report-annotations-skipped')).toHaveText('0')
  await expect(report.getByTestId('report-images-listed')).toHaveText(String(RACCOON_LISTED))
  await expect(report.getByTestId('report-images-merged')).toHaveText(String(RACCOON_LISTED - RACCOON_IMAGES))
  await expect(report.getByTestId('report-images-added')).toHaveText(String(RACCOON_IMAGES))
  // The library spec uploaded three of these photos: they are reused, the rest stored.
  await expect(report.getByTestId('report-images-reused')).toHaveText('3')
  await expect(report.getByTestId('report-images-stored')).toHaveText(String(RACCOON_IMAGES - 3))
  await expect(report.getByTestId('report-issues')).toContainText('duplicate_image')
  await expect(report.getByTestId('report-classes-matched').or(report.getByTestId('report-classes-created'))).toContainText('raccoon')
  await expect(page.getByText(`Imported ${RACCOON_IMAGES} images and ${RACCOON_BOXES} boxes into ${DATASET}`)).toBeVisible()
  await report.getByTestId('report-issues').scrollIntoViewIfNeeded()
  await shot(page, 'io-import-report')

  const link = report.getByTestId('import-dataset-link')
  await expect(link).toHaveText(DATASET)
  datasetId = Number(/\/od\/datasets\/(\d+)/.exec((await link.getAttribute('href')) ?? '')?.[1])
  expect(datasetId).toBeGreaterThan(0)
  const dataset = await apiJson<{ image_count: number; annotation_count: number }>(page.request, 'GET', `/api/v1/od/datasets/${datasetId}`)
  expect(dataset.image_count).toBe(RACCOON_IMAGES)  // 196 distinct photos
  expect(dataset.annotation_count).toBe(RACCOON_BOXES)
  expect(pageErrors).toEqual([])
})

test('an archive with a ../ member is refused with a clear error and creates nothing', async ({ page }) => {
  const evilName = `Evil ${STAMP}`
  const jobsBefore = await apiJson<Counted>(page.request, 'GET', '/api/v1/jobs?kind=od.imports.run&limit=100')
  const dialog = await openImportTab(page)
  await dialog.getByTestId('import-format').getByRole('radio', { name: 'Pascal VOC' }).click()
  await dialog.getByTestId('import-dataset-name').fill(evilName)
  await dialog.getByTestId('import-file').setInputFiles(evilZip)
  await dialog.getByTestId('start-import').click()

  const error = dialog.getByTestId('import-error')
  await expect(error).toBeVisible()
  await expect(error).toHaveAttribute('data-kind', 'unsafe_archive')
  await expect(error).toContainText('The archive was refused as unsafe')
  await expect(error).toContainText("climbs out of the archive folder with '..'")
  await expect(error.getByTestId('import-error-member')).toHaveText('Entry: ../evil.txt')
  await expect(dialog.getByTestId('import-job')).toHaveCount(0)
  await expect(page.getByText(/^Import refused:/)).toBeVisible()

  // Nothing changed: no dataset, no job, no file beside the data folder.
  const datasets = await apiJson<Counted>(page.request, 'GET', `/api/v1/od/datasets?q=${encodeURIComponent(evilName)}`)
  expect(datasets.items).toHaveLength(0)
  const jobsAfter = await apiJson<Counted>(page.request, 'GET', '/api/v1/jobs?kind=od.imports.run&limit=100')
  expect(jobsAfter.items.map((j) => j.id)).toEqual(jobsBefore.items.map((j) => j.id))
})

test('create a version with a split and see its split counts', async ({ page }) => {
  test.setTimeout(120_000)
  expect(datasetId).toBeGreaterThan(0)
  await page.goto(`/od/datasets/${datasetId}`)
  await page.getByRole('tab', { name: 'Versions' }).click()
  await expect(page.getByText('No versions yet')).toBeVisible()
  await page.getByTestId('new-version').click()
  const create = page.getByTestId('create-version-dialog')
  await create.getByLabel('Name').fill('baseline')
  await create.getByLabel('Description').fill('First split of the raccoon photos')
  // Ratios that do not add up to 1 are refused before anything is sent.
  await create.getByLabel('Test').fill('0.2')
  await expect(create.getByTestId('version-split-ratios-note')).toHaveText('Train + val + test must add up to 1 (now 1.1).')
  await expect(create.getByTestId('create-version')).toBeDisabled()
  await create.getByLabel('Train').fill('0.6')
  await expect(create.getByTestId('version-split-ratios-note')).toContainText('they add up to 1')
  await create.getByLabel('Seed').fill('7')
  await create.getByTestId('create-version').click()
  await expect(page.getByText(/^Building v1 · baseline \(job #\d+\)$/)).toBeVisible()

  const row = page.locator('[data-testid=version-row][data-number="1"]')
  await expect(row.getByTestId('version-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 })
  await expect(page.getByText(`v1 · baseline is ready: ${RACCOON_IMAGES} images, ${RACCOON_BOXES} annotations`)).toBeVisible()
  const version = await apiJson<VersionJson>(page.request, 'GET', `/api/v1/od/datasets/${datasetId}/versions/1`)
  expect(version.counts.total_images).toBe(RACCOON_IMAGES)
  expect(version.counts.total_annotations).toBe(RACCOON_BOXES)
  const images = version.counts.images
  expect((images.train ?? 0) + (images.val ?? 0) + (images.test ?? 0)).toBe(RACCOON_IMAGES)
  // 0.6 / 0.2 / 0.2 of 196 images.
  expect(images.train).toBeGreaterThanOrEqual(108)
  expect(images.train).toBeLessThanOrEqual(128)
  expect(images.val).toBeGreaterThan(20)
  expect(images.test).toBeGreaterThan(20)
  for (const split of ['train', 'val', 'test']) {
    await expect(row.getByTestId(`version-${split}`)).toHaveText(String(images[split] ?? 0))
  }
  await expect(row.getByTestId('version-annotations')).toHaveText(String(RACCOON_BOXES))
  await shot(page, 'io-versions-tab')

  await row.click()
  const sheet = page.getByTestId('version-sheet')
  await expect(sheet.getByTestId('version-split-table')).toBeVisible()
  for (const split of ['train', 'val', 'test']) {
    await expect(sheet.getByTestId(`detail-images-${split}`)).toHaveText(String(images[split] ?? 0))
    await expect(sheet.getByTestId(`detail-annotations-${split}`)).toHaveText(String(version.counts.annotations[split] ?? 0))
  }
  await expect(sheet.getByTestId('version-class-mapping')).toContainText('raccoon')
  await expect(sheet).toContainText('seed 7')
  await shot(page, 'io-version-detail')
})

test('export the version to YOLO and COCO and download the archives', async ({ page }) => {
  test.setTimeout(180_000)
  expect(datasetId).toBeGreaterThan(0)
  await page.goto(`/od/datasets/${datasetId}`)
  await page.getByRole('tab', { name: 'Versions' }).click()
  await page.locator('[data-testid=version-row][data-number="1"]').click()

  // Quick export from the version: YOLO.
  const quick = page.getByTestId('version-sheet').getByTestId('quick-export')
  await quick.getByTestId('quick-export-start').click()
  const quickJob = quick.getByTestId('export-job').first()
  await expect(quickJob).toHaveAttribute('data-status', 'succeeded', { timeout: 120_000 })
  await expect(quickJob.getByTestId('export-images')).toHaveText(String(RACCOON_IMAGES))
  await expect(quickJob.getByTestId('export-annotations')).toHaveText(String(RACCOON_BOXES))
  await expect(page.getByText(/^Export ready: .+\.zip \(/)).toBeVisible()
  const yoloBytes = await download(page, quickJob.getByTestId('export-download'))
  expect(yoloBytes).toBeGreaterThan(1_000_000)
  await page.keyboard.press('Escape')

  // The Export tab: COCO of v1, resized, with two augmented copies of each training image.
  await page.getByRole('tab', { name: 'Export' }).click()
  await page.getByTestId('export-format').click()
  await page.getByRole('option', { name: 'COCO' }).click()
  await page.getByTestId('export-source').click()
  await page.getByRole('option', { name: /^v1 · baseline/ }).click()
  await page.getByLabel('Resize').click()
  await page.getByLabel('Width (px)').fill('320')
  await page.getByLabel('Height (px)').fill('320')
  await page.getByLabel('Copies per image').fill('1')
  await page.getByLabel('Brightness ±').fill('0.2')
  await page.getByTestId('start-export').click()
  await expect(page.getByText(/^Export started \(job #\d+\)$/)).toBeVisible()
  const job = page.getByTestId('export-jobs').getByTestId('export-job').first()
  await expect(job).toHaveAttribute('data-status', 'succeeded', { timeout: 150_000 })
  await expect(job.getByTestId('export-images')).toHaveText(String(RACCOON_IMAGES))
  const version = await apiJson<VersionJson>(page.request, 'GET', `/api/v1/od/datasets/${datasetId}/versions/1`)
  await expect(job.getByTestId('export-augmented')).toHaveText(String(version.counts.images.train ?? 0))
  await expect(job).toContainText('COCO · v1')
  const cocoBytes = await download(page, job.getByTestId('export-download'))
  expect(cocoBytes).toBeGreaterThan(100_000)
  await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded()
  await shot(page, 'io-export-tab')
})
