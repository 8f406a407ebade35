/**
 * The image library, class catalogue and datasets end to end against the real server of globalSetup:
 * drag-and-drop upload of real photos, search and filters, tag edits, class create/rename/merge with
 * the server's preview counts, and a dataset filled by a library filter with its overview charts.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { AUTH_STATE, REPO_ROOT } from './harness'
import { api, shot } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE })
test.describe.configure({ mode: 'serial' })

const RACCOONS = path.join(REPO_ROOT, '..', 'shared', 'data', 'detection', 'raccoon', 'images')
const FILES = ['raccoon-1.jpg', 'raccoon-10.jpg', 'raccoon-100.jpg']
const STAMP = Date.now().toString(36)
const TAG = `raccoon-${STAMP}`

/** Drop real files on an element through a real DataTransfer, as a file manager would. */
async function dropFiles(page: Page, testId: string, names: string[]): Promise<void> {
  const files = names.map((name) => ({ name, base64: fs.readFileSync(path.join(RACCOONS, name)).toString('base64') }))
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer()
    for (const { name, base64 } of list) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
      dt.items.add(new File([bytes], name, { type: 'image/jpeg' }))
    }
    return dt
  }, files)
  const zone = page.getByTestId(testId)
  await zone.dispatchEvent('dragenter', { dataTransfer: transfer })
  await zone.dispatchEvent('dragover', { dataTransfer: transfer })
  await zone.dispatchEvent('drop', { dataTransfer: transfer })
}

interface ImageJson {
  id: number
  filename: string
  tags: string[]
}

test('upload real photos by drag and drop, with per-file results', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto('/od/images')
  await expect(page.getByTestId('image-card').first()).toBeVisible()
  await page.getByTestId('open-import').click()
  const dialog = page.getByTestId('import-dialog')
  await dialog.getByLabel('Folder').fill(`e2e/${STAMP}`)
  await dialog.getByLabel('Tags').fill(`${TAG}, Wildlife`)
  await dropFiles(page, 'upload-dropzone', FILES)
  await expect(dialog.getByTestId('upload-item')).toHaveCount(3)
  await expect(dialog.getByTestId('upload-summary')).toHaveAttribute('data-finished', 'true')
  await expect(dialog.locator('[data-testid=upload-item][data-status=stored]')).toHaveCount(3)
  await expect(dialog.getByTestId('upload-stored')).toHaveText('3 stored')
  await expect(page.getByText('Upload finished: 3 stored, 0 duplicate, 0 rejected')).toBeVisible()

  // The same bytes again: a duplicate, named as such.
  await dialog.getByRole('button', { name: 'Clear list' }).click()
  await dropFiles(page, 'upload-dropzone', [FILES[0] ?? ''])
  await expect(dialog.locator('[data-testid=upload-item][data-status=duplicate]')).toHaveCount(1)
  await expect(dialog.getByText(/Already in the library as image #\d+/)).toBeVisible()
  await page.keyboard.press('Escape')

  const stored = await api<{ items: ImageJson[]; total: number }>(page, 'GET', `/api/v1/od/images?tags=${TAG}&with_total=true`)
  expect(stored.total).toBe(3)
  expect(stored.items.every((i) => i.tags.includes('wildlife'))).toBe(true)
  expect(pageErrors).toEqual([])
})

test('search, filter by tag and folder, and edit tags', async ({ page }) => {
  await page.goto('/od/images')
  await page.getByLabel('Search file names').fill('raccoon-10')
  await expect(page).toHaveURL(/q=raccoon-10/)
  await expect(page.getByTestId('image-card')).toHaveCount(2)
  await expect(page.getByTestId('image-grid')).toContainText('raccoon-100.jpg')
  await page.getByLabel('Search file names').fill('')
  await expect(page).not.toHaveURL(/q=/)

  const filters = page.getByTestId('image-filters')
  await filters.getByLabel('Tags').fill(TAG)
  await filters.getByLabel('Tags').press('Enter')
  await expect(page.getByTestId('image-card')).toHaveCount(3)
  await expect(page.getByTestId('image-count')).toHaveText('1–3 of 3')

  // Table view shows the same three, with their folder.
  await page.getByRole('button', { name: 'Table view' }).click()
  await expect(page.getByTestId('image-row')).toHaveCount(3)
  await expect(page.getByTestId('image-table')).toContainText(`e2e/${STAMP}`)
  await page.getByRole('button', { name: 'Grid view' }).click()

  // Edit the tags of one image in its detail sheet.
  await page.getByRole('button', { name: 'Open raccoon-1.jpg' }).click()
  const detail = page.getByTestId('image-detail')
  await expect(detail.getByText('Dimensions')).toBeVisible()
  await detail.getByRole('button', { name: 'Remove tag wildlife' }).click()
  await detail.getByLabel('Tags').fill('Night shift')
  await detail.getByLabel('Tags').press('Enter')
  await detail.getByTestId('save-image').click()
  await expect(page.getByText('Saved raccoon-1.jpg')).toBeVisible()
  await page.keyboard.press('Escape')
  const one = await api<{ items: ImageJson[] }>(page, 'GET', `/api/v1/od/images?q=raccoon-1.jpg&tags=${TAG}`)
  expect(one.items[0]?.tags.sort()).toEqual(['night shift', TAG].sort())

  // Bulk: tag the two others through the selection bar.
  await page.getByRole('checkbox', { name: 'Select raccoon-10.jpg', exact: true }).click({ force: true })
  await page.getByRole('checkbox', { name: 'Select raccoon-100.jpg' }).click({ force: true })
  await expect(page.getByTestId('selection-count')).toHaveText('2 selected')
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'Tag', exact: true }).click()
  await page.getByTestId('bulk-dialog-tag').getByLabel('Tags').fill('night shift')
  await page.getByTestId('bulk-confirm').click()
  await expect(page.getByText('Tagged 2 images (2 selected)')).toBeVisible()

  // The filters suggest the folders and tags in use.
  await page.reload()
  await expect(filters.getByTestId('folder-options').locator(`option[value="e2e/${STAMP}"]`)).toHaveCount(1)
  await expect(filters.getByTestId('tag-options').locator('option[value="night shift"]')).toHaveText('3 images')

  // Folder filter narrows to this upload; the new tag filter keeps all three.
  await filters.getByLabel('Folder', { exact: true }).fill(`e2e/${STAMP}`)
  await filters.getByLabel('Folder', { exact: true }).press('Enter')
  await filters.getByLabel('Tags').fill('night shift')
  await filters.getByLabel('Tags').press('Enter')
  await expect(page.getByTestId('filter-tag')).toHaveCount(2)
  await expect(page.getByTestId('image-card')).toHaveCount(3)

  await page.getByTestId('clear-filters').click()
  await expect(page.getByTestId('image-card')).toHaveCount(48)
  await shot(page, 'library-images-grid')
})

interface ClassJson {
  id: number
  name: string
  aliases: string[]
}

test('create, rename and merge classes, seeing the merge preview counts', async ({ page }) => {
  await page.goto('/od/classes')
  const createClass = async (name: string) => {
    await page.getByTestId('new-class').click()
    const dialog = page.getByTestId('class-dialog')
    await dialog.getByLabel('Name', { exact: true }).fill(name)
    await dialog.getByLabel('Category').fill('beverages')
    await dialog.getByTestId('save-class').click()
    await expect(page.getByText(`Created class ${name}`)).toBeVisible()
    await expect(page.locator(`[data-testid=class-row][data-class-name="${name}"]`)).toBeVisible()
  }
  const cola = `cola-${STAMP}`
  const coke = `coke-${STAMP}`
  await createClass(cola)
  await createClass(coke)

  // Rename: the dialog says the old name becomes an alias, and it does.
  await page.getByRole('button', { name: `Actions for ${cola}` }).click()
  await page.getByRole('menuitem', { name: 'Edit or rename' }).click()
  const edit = page.getByTestId('class-dialog')
  await edit.getByLabel('Name', { exact: true }).fill(`${cola}-classic`)
  await expect(edit.getByTestId('rename-note')).toContainText(cola)
  await edit.getByTestId('save-class').click()
  await expect(page.getByText(`Renamed ${cola} to ${cola}-classic`)).toBeVisible()
  const renamedRow = page.locator(`[data-testid=class-row][data-class-name="${cola}-classic"]`)
  await expect(renamedRow.getByTestId('class-aliases')).toContainText(cola)

  // Annotations to merge: a dataset with two library images, each with one box of `coke`.
  const classes = await api<{ items: ClassJson[] }>(page, 'GET', `/api/v1/od/classes?q=${STAMP}`)
  const cokeId = classes.items.find((c) => c.name === coke)?.id
  expect(cokeId).toBeDefined()
  const images = await api<{ items: ImageJson[] }>(page, 'GET', `/api/v1/od/images?tags=${TAG}&sort=filename&order=asc`)
  const dataset = await api<{ id: number }>(page, 'POST', '/api/v1/od/datasets', { name: `Merge fixture ${STAMP}` })
  const two = images.items.slice(0, 2).map((i) => i.id)
  await api(page, 'POST', `/api/v1/od/datasets/${dataset.id}/images`, { image_ids: two })
  for (const imageId of two) {
    await api(page, 'POST', `/api/v1/od/datasets/${dataset.id}/images/${imageId}/annotations`, {
      class_id: cokeId,
      kind: 'bbox',
      x1: 10,
      y1: 10,
      x2: 80,
      y2: 90,
    })
  }
  await page.reload()
  const cokeRow = page.locator(`[data-testid=class-row][data-class-name="${coke}"]`)
  await expect(cokeRow.getByTestId('class-annotations')).toHaveText('2')

  await cokeRow.getByRole('checkbox').click()
  await page.getByTestId('merge-classes').click()
  const merge = page.getByTestId('merge-dialog')
  await merge.getByTestId('merge-target').click()
  await page.getByRole('option', { name: `${cola}-classic` }).click()
  await expect(merge.getByTestId('merge-annotations')).toHaveText('2')
  await expect(merge.getByTestId('merge-images')).toHaveText('2')
  await expect(merge.getByTestId('merge-datasets')).toHaveText('1')
  await expect(merge.getByTestId('merge-preview')).toContainText(`Merge fixture ${STAMP}`)
  await shot(page, 'library-classes-merge')
  await merge.getByTestId('confirm-merge').click()
  await expect(page.getByText(`Merged ${coke} into ${cola}-classic: 2 annotations moved`)).toBeVisible()
  await expect(cokeRow).toHaveCount(0)
  await expect(renamedRow.getByTestId('class-annotations')).toHaveText('2')
  await expect(renamedRow.getByTestId('class-aliases')).toContainText(coke)

  // The history shows the rename and the merge.
  await page.getByRole('button', { name: `Actions for ${cola}-classic` }).click()
  await page.getByRole('menuitem', { name: 'History' }).click()
  const history = page.getByTestId('class-history')
  await expect(history.locator('[data-testid=history-row][data-action=rename]')).toHaveCount(1)
  await expect(history.locator('[data-testid=history-row][data-action=merge]')).toHaveCount(1)
  await page.keyboard.press('Escape')
})

test('create a dataset, add images by library filter, and see the overview charts', async ({ page }) => {
  await page.goto('/od/datasets')
  await page.getByTestId('new-dataset').click()
  const create = page.getByTestId('create-dataset-dialog')
  const name = `Raccoon audit ${STAMP}`
  await create.getByLabel('Name').fill(name)
  await create.getByLabel('Description').fill('Raccoons photographed near the shelves')
  await create.getByText('Bounding boxes').click()
  await create.getByTestId('create-dataset').click()
  await expect(page.getByText(`Created dataset ${name}`)).toBeVisible()
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible()
  const datasetId = Number(/\/od\/datasets\/(\d+)/.exec(page.url())?.[1])

  await page.getByRole('tab', { name: /Images/ }).click()
  await expect(page.getByText('No images in this dataset yet')).toBeVisible()
  await page.getByTestId('add-images').click()
  const add = page.getByTestId('add-images-dialog')
  await add.getByRole('tab', { name: 'All matching a filter' }).click()
  await add.getByLabel('Tags (all of)').fill(TAG)
  await expect(add.getByTestId('picker-match-count')).toContainText('3 library images match')
  await add.getByTestId('picker-submit').click()
  await expect(page.getByText(`Added 3 images to ${name}`)).toBeVisible()
  await expect(page.getByTestId('dataset-image')).toHaveCount(3)
  await expect(page.getByRole('link', { name: 'Annotate raccoon-1.jpg' })).toHaveAttribute(
    'href',
    new RegExp(`/od/annotate/${datasetId}/\\d+$`),
  )

  // Label two of them through the API so the charts have something to show.
  const classes = await api<{ items: ClassJson[] }>(page, 'GET', `/api/v1/od/classes?q=${STAMP}`)
  const extra = await api<ClassJson>(page, 'POST', '/api/v1/od/classes', { name: `raccoon-${STAMP}`, color: '#f97316' })
  const classIds = [classes.items[0]?.id ?? 0, extra.id]
  const members = await api<{ items: { image_id: number }[] }>(page, 'GET', `/api/v1/od/datasets/${datasetId}/images`)
  let n = 0
  for (const member of members.items.slice(0, 2)) {
    for (const classId of classIds) {
      n++
      await api(page, 'POST', `/api/v1/od/datasets/${datasetId}/images/${member.image_id}/annotations`, {
        class_id: n % 3 === 0 ? classIds[0] : classId,
        kind: 'bbox',
        x1: 5 * n,
        y1: 5 * n,
        x2: 60 + 5 * n,
        y2: 60 + 5 * n,
      })
    }
  }
  await api(page, 'POST', `/api/v1/od/datasets/${datasetId}/images/${members.items[0]?.image_id}/status`, { status: 'completed' })

  // The open tab is part of the address, so the reload stays on Images: go back to the overview.
  await page.reload()
  await page.getByRole('tab', { name: 'Overview' }).click()
  await expect(page.getByTestId('stat-dataset-images')).toHaveText('3')
  await expect(page.getByTestId('stat-dataset-annotations')).toHaveText('4')
  await expect(page.getByTestId('stat-dataset-classes')).toHaveText('2')
  await expect(page.getByTestId('class-distribution-chart').locator('.recharts-bar-rectangle')).toHaveCount(2)
  await expect(page.getByTestId('status-chart').locator('.recharts-pie-sector')).not.toHaveCount(0)
  await expect(page.getByTestId('status-completed')).toContainText('1')
  await shot(page, 'library-dataset-overview')

  await page.getByRole('tab', { name: 'Classes' }).click()
  await expect(page.getByTestId('dataset-classes').getByRole('row')).toHaveCount(3)
  await page.getByRole('tab', { name: 'Versions' }).click()
  await expect(page.getByText('No versions yet')).toBeVisible()

  // Mark one image skipped and put it in the test split from its card's menu.
  await page.getByRole('tab', { name: /Images/ }).click()
  const card = page.getByTestId('dataset-image').filter({ hasText: 'raccoon-100.jpg' })
  await card.hover()
  await card.getByRole('button', { name: 'Actions for raccoon-100.jpg' }).click()
  await page.getByRole('menuitem', { name: 'Skipped' }).click()
  await expect(card.getByText('Skipped')).toBeVisible()
  await card.hover()
  await card.getByRole('button', { name: 'Actions for raccoon-100.jpg' }).click()
  await page.getByRole('menuitem', { name: 'test' }).click()
  await expect(card.getByText('test', { exact: true })).toBeVisible()

  // Rename the dataset.
  const renamed = `${name} (renamed)`
  await page.getByTestId('edit-dataset').click()
  await page.getByTestId('edit-dataset-dialog').getByLabel('Name').fill(renamed)
  await page.getByTestId('edit-dataset-dialog').getByRole('button', { name: 'Save' }).click()
  await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible()

  await page.goto('/od/datasets')
  await expect(page.getByTestId('dataset-card').filter({ hasText: renamed })).toContainText('3 images')
})
