/**
 * The annotation editor end to end, against the real server of globalSetup: drawing, class keys,
 * moving and resizing by handles, undo/redo, autosave, navigation, the unsaved-changes warning,
 * a failed save that loses nothing, and a two-tab conflict.
 */
import type { Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { boxes, dragImage, imageSize, openImage, seedDataset, serverAnnotations, type Seeded } from './editor-helpers'
import { apiJson, shot } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE, viewport: { width: 1600, height: 1000 } })
test.describe.configure({ mode: 'serial' })

let seeded: Seeded

const openEditor = (page: Page, imageId: number) => openImage(page, seeded.datasetId, imageId)

async function serverBoxes(page: Page, imageId: number): Promise<{ revision: number; count: number }> {
  const { revision, items } = await serverAnnotations(page, seeded.datasetId, imageId)
  return { revision, count: items.length }
}

const saveStatus = (page: Page) => page.getByTestId('save-status')

test.beforeAll(async ({ playwright, harness }) => {
  seeded = await seedDataset(playwright, harness, 'e2e')
})

test('draw, class keys, move and resize by handles, and undo/redo of each', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const imageId = seeded.imageIds[0] ?? 0
  await openEditor(page, imageId)
  await expect(page.getByRole('heading', { level: 1, name: /Annotation editor/ })).toBeVisible()
  const classOrder = await page.evaluate(() => [...(window.__shelfscopeEditor?.editor.classes.keys() ?? [])])
  const [bottle, can] = seeded.classIds
  const keyOf = (classId: number | undefined) => String(classOrder.indexOf(classId ?? -1) + 1)

  // Draw two boxes with the draw tool; the first class comes from its number key.
  await page.keyboard.press('b')
  await page.keyboard.press(keyOf(bottle))
  const { width: W, height: H } = await imageSize(page)
  await dragImage(page, [0.1, 0.1], [0.35, 0.3], true)
  await dragImage(page, [0.55, 0.15], [0.8, 0.45], true)
  await expect(page.getByTestId('box-count')).toHaveText('2')
  let list = await boxes(page)
  expect(list.map((b) => b.classId)).toEqual([bottle, bottle])
  expect(list[0]?.x1).toBeCloseTo(0.1 * W, 0)

  // A number key changes the class of the selected (just drawn) box.
  await page.keyboard.press(keyOf(can))
  list = await boxes(page)
  expect(list.map((b) => b.classId)).toEqual([bottle, can])
  await expect(page.getByRole('combobox', { name: 'Class of box 2' })).toHaveValue(String(can))

  // Move the first box with the select tool, then resize it by its corner and by an edge.
  await page.keyboard.press('v')
  const drawn = list[0]!
  const [dx, dy] = [0.05 * W, 0.1 * H]
  await dragImage(page, [(drawn.x1 + drawn.x2) / 2, (drawn.y1 + drawn.y2) / 2], [(drawn.x1 + drawn.x2) / 2 + dx, (drawn.y1 + drawn.y2) / 2 + dy])
  list = await boxes(page)
  expect(list[0]?.x1).toBeCloseTo(drawn.x1 + dx, 0)
  expect(list[0]?.y1).toBeCloseTo(drawn.y1 + dy, 0)
  const moved = list[0]!
  await dragImage(page, [moved.x2, moved.y2], [moved.x2 + 0.1 * W, moved.y2 + 0.05 * H])
  await dragImage(page, [moved.x1, (moved.y1 + moved.y2) / 2], [moved.x1 - 0.05 * W, (moved.y1 + moved.y2) / 2])
  list = await boxes(page)
  expect(list[0]?.x2).toBeCloseTo(moved.x2 + 0.1 * W, 0)
  expect(list[0]?.y2).toBeCloseTo(moved.y2 + 0.05 * H, 0)
  expect(list[0]?.x1).toBeCloseTo(moved.x1 - 0.05 * W, 0)
  expect(list[0]?.y1).toBeCloseTo(moved.y1, 3)

  // Delete with D.
  await page.keyboard.press('d')
  await expect(page.getByTestId('box-count')).toHaveText('1')

  // Undo: delete, edge resize, corner resize, move, class change, second draw, first draw.
  const undo = () => page.keyboard.press('Control+z')
  await undo()
  await expect(page.getByTestId('box-count')).toHaveText('2')
  await undo()
  expect((await boxes(page))[0]?.x1).toBeCloseTo(moved.x1, 3)
  await undo()
  expect((await boxes(page))[0]).toMatchObject({ x2: moved.x2, y2: moved.y2 })
  await undo()
  expect((await boxes(page))[0]?.x1).toBeCloseTo(drawn.x1, 3)
  await undo()
  expect((await boxes(page)).map((b) => b.classId)).toEqual([bottle, bottle])
  await undo()
  await expect(page.getByTestId('box-count')).toHaveText('1')
  await undo()
  await expect(page.getByTestId('box-count')).toHaveText('0')
  await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled()

  // Redo all of it with Ctrl+Y and Ctrl+Shift+Z.
  for (let i = 0; i < 7; i++) await page.keyboard.press(i % 2 === 0 ? 'Control+y' : 'Control+Shift+z')
  list = await boxes(page)
  expect(list).toHaveLength(1)
  expect(list[0]?.classId).toBe(can)
  await expect(page.getByRole('button', { name: 'Redo' })).toBeDisabled()

  // Shortcuts never fire while typing.
  await page.getByLabel('Search classes').fill('d1')
  await expect(page.getByTestId('box-count')).toHaveText('1')
  await page.getByLabel('Search classes').fill('')

  // The help overlay.
  await page.getByTestId('editor-canvas').click({ position: { x: 5, y: 5 } })
  await page.keyboard.press('Shift+?')
  await expect(page.getByTestId('shortcut-help')).toBeVisible()
  await expect(page.getByTestId('shortcut-help')).toContainText('Ctrl')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('shortcut-help')).toBeHidden()
  expect(errors).toEqual([])
})

test('autosave: the boxes are on the server after 2 s and come back after a reload', async ({ page }) => {
  const imageId = seeded.imageIds[0] ?? 0
  await openEditor(page, imageId)
  const before = (await boxes(page)).length
  await page.keyboard.press('b')
  await dragImage(page, [0.6, 0.6], [0.75, 0.8], true)
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'unsaved')
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'saved', { timeout: 8_000 })
  expect((await serverBoxes(page, imageId)).count).toBe(before + 1)
  await page.reload()
  await page.waitForFunction(() => (window.__shelfscopeEditor?.renderedAt ?? null) !== null)
  expect(await boxes(page)).toHaveLength(before + 1)
  expect((await boxes(page)).every((b) => b.id !== null)).toBe(true)
})

test('arrow keys move between images and the counter follows', async ({ page }) => {
  const [first, second] = seeded.imageIds
  await openEditor(page, first ?? 0)
  await expect(page.getByTestId('image-counter')).toHaveText(`1 / ${seeded.imageIds.length}`)
  await page.keyboard.press('ArrowRight')
  await expect(page).toHaveURL(new RegExp(`/od/annotate/${seeded.datasetId}/${second}$`))
  await expect(page.getByTestId('image-counter')).toHaveText(`2 / ${seeded.imageIds.length}`)
  await page.keyboard.press('ArrowLeft')
  await expect(page).toHaveURL(new RegExp(`/od/annotate/${seeded.datasetId}/${first}$`))
  await expect(page.getByTestId('image-counter')).toHaveText(`1 / ${seeded.imageIds.length}`)
})

test('navigating away saves first', async ({ page }) => {
  const [, second, third] = seeded.imageIds
  await openEditor(page, second ?? 0)
  await page.keyboard.press('b')
  await dragImage(page, [0.1, 0.1], [0.4, 0.4], true)
  await page.keyboard.press('ArrowRight')
  await expect(page).toHaveURL(new RegExp(`/${third}$`))
  expect((await serverBoxes(page, second ?? 0)).count).toBe(1)
})

test('leaving with unsaved changes asks first', async ({ page }) => {
  await openEditor(page, seeded.imageIds[2] ?? 0)
  await page.keyboard.press('b')
  await dragImage(page, [0.3, 0.3], [0.5, 0.5], true)
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'unsaved')
  const dialog = new Promise<string>((resolve) => {
    page.once('dialog', (d) => {
      resolve(d.type())
      void d.dismiss()
    })
  })
  await page.close({ runBeforeUnload: true })
  expect(await dialog).toBe('beforeunload')
  expect(page.isClosed()).toBe(false)
})

test('a save that fails loses nothing: kept on the device, restored after a reload, then saved', async ({ page }) => {
  const imageId = seeded.imageIds[3] ?? 0
  await openEditor(page, imageId)
  const url = `**/api/v1/od/datasets/${seeded.datasetId}/images/${imageId}/annotations`
  await page.route(url, (route) => (route.request().method() === 'PUT' ? route.abort('internetdisconnected') : route.fallback()))
  await page.keyboard.press('b')
  await dragImage(page, [0.1, 0.1], [0.3, 0.3], true)
  await dragImage(page, [0.5, 0.1], [0.7, 0.3], true)
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'offline', { timeout: 8_000 })
  await expect(saveStatus(page)).toContainText('kept on this device')
  expect((await serverBoxes(page, imageId)).count).toBe(0)

  // Reload while the server is still unreachable for saves: the edits come back from the device.
  page.on('dialog', (d) => void d.accept())
  await page.reload()
  await page.waitForFunction(() => (window.__shelfscopeEditor?.renderedAt ?? null) !== null)
  await expect.poll(async () => (await boxes(page)).length).toBe(2)
  expect((await serverBoxes(page, imageId)).count).toBe(0)

  // The network is back: they are saved.
  await page.unroute(url)
  // The automatic retry may get there first; then the button is gone and there is nothing to click.
  await page.getByRole('button', { name: 'Retry now' }).click({ timeout: 3_000 }).catch(() => undefined)
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'saved', { timeout: 10_000 })
  expect((await serverBoxes(page, imageId)).count).toBe(2)
  await page.reload()
  await page.waitForFunction(() => (window.__shelfscopeEditor?.renderedAt ?? null) !== null)
  expect(await boxes(page)).toHaveLength(2)
})

test('two tabs on one image: the second save gets a 409 and the person chooses', async ({ page, context }) => {
  const imageId = seeded.imageIds[4] ?? 0
  const other = await context.newPage()
  await openEditor(page, imageId)
  await openEditor(other, imageId)

  await page.keyboard.press('b')
  await dragImage(page, [0.1, 0.1], [0.3, 0.3], true)
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'saved', { timeout: 8_000 })

  await other.bringToFront()
  await other.keyboard.press('b')
  await dragImage(other, [0.5, 0.5], [0.7, 0.7], true)
  const dialog = other.getByTestId('conflict-dialog')
  await expect(dialog).toBeVisible({ timeout: 8_000 })
  await expect(saveStatus(other)).toHaveAttribute('data-status', 'conflict')
  await expect(dialog).toContainText('changed by someone else')
  await shot(other, 'editor-conflict', { fullPage: false })

  await dialog.getByRole('button', { name: /Keep mine/ }).click()
  await expect(saveStatus(other)).toHaveAttribute('data-status', 'saved', { timeout: 8_000 })
  expect((await serverBoxes(other, imageId)).count).toBe(2)
  expect(await boxes(other)).toHaveLength(2)

  // The first tab now conflicts too; it takes theirs.
  await page.bringToFront()
  await page.keyboard.press('b')
  await dragImage(page, [0.75, 0.1], [0.9, 0.3], true)
  await expect(page.getByTestId('conflict-dialog')).toBeVisible({ timeout: 8_000 })
  await page.getByRole('button', { name: /Reload theirs/ }).click()
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'saved')
  expect(await boxes(page)).toHaveLength(2)
  await other.close()
})

test('screenshots with 5 and with 5,000 boxes', async ({ page, harness }) => {
  const imageId = seeded.imageIds[1] ?? 0
  const classIds = seeded.classIds
  const make = (n: number) => {
    const cols = Math.ceil(Math.sqrt((n * 4) / 3))
    const rows = Math.ceil(n / cols)
    return { cols, rows }
  }
  const bulk = async (n: number) => {
    const meta = await page.request.get(`/api/v1/od/datasets/${seeded.datasetId}/images/${imageId}/annotations`)
    const { image } = (await meta.json()) as { image: { width: number; height: number } }
    const { cols, rows } = make(n)
    const cw = image.width / cols
    const ch = image.height / rows
    const items = Array.from({ length: n }, (_, i) => {
      const x1 = (i % cols) * cw + cw * 0.2
      const y1 = Math.floor(i / cols) * ch + ch * 0.2
      return { image_id: imageId, class_id: classIds[i % classIds.length], kind: 'bbox', x1, y1, x2: x1 + cw * 0.6, y2: y1 + ch * 0.6 }
    })
    await apiJson(page.request, 'POST', '/api/v1/od/annotations/bulk', { dataset_id: seeded.datasetId, items }, harness.baseURL)
  }
  // Image 2 has the one box of the "navigating away" test; four more make five.
  await bulk(4)
  await openEditor(page, imageId)
  await expect(page.getByTestId('box-count')).toHaveText('5')
  await page.waitForTimeout(300)
  await shot(page, 'editor-5', { fullPage: false })

  await bulk(4995)
  await openEditor(page, imageId)
  await expect(page.getByTestId('box-count')).toHaveText('5,000')
  await page.getByTestId('annotation-row').nth(2).getByText('#3').click()
  await page.waitForTimeout(300)
  await shot(page, 'editor-5000', { fullPage: false })
})

test('the queue shows the dataset with its progress and continues where annotating left off', async ({ page }) => {
  await page.goto('/od/annotate')
  await expect(page.getByRole('heading', { level: 1, name: 'Annotate' })).toBeVisible()
  const row = page.getByTestId('queue-dataset').filter({ hasText: 'Editor e2e' }).first()
  await expect(row).toBeVisible()
  await expect(row).toContainText(`${seeded.imageIds.length} images`)
  await row.getByRole('button', { name: /Continue|Start/ }).click()
  await expect(page).toHaveURL(new RegExp(`/od/annotate/${seeded.datasetId}/\\d+$`))
  await page.waitForFunction(() => (window.__shelfscopeEditor?.renderedAt ?? null) !== null)
  await page.getByRole('button', { name: 'Mark completed' }).click()
  await expect(page.getByText('Marked completed')).toBeVisible()
})
