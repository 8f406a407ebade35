/**
 * The editor's box tools end to end: copy and paste (also onto the next image, saved and seen
 * again after a reload), Shift+arrow nudging, the right-click menu (class, lock, hide, delete),
 * the attributes panel and the dataset's name in the header.
 */
import type { Page } from '@playwright/test'
import {
  boxes,
  dragImage,
  openImage,
  seedDataset,
  serverAnnotations,
  toPage,
  waitForImage,
  type BoxJson,
  type Seeded,
} from './editor-helpers'
import { AUTH_STATE, type HarnessState } from './harness'
import { apiJson, shot } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE, viewport: { width: 1600, height: 1000 } })
test.describe.configure({ mode: 'serial' })

let seeded: Seeded

test.beforeAll(async ({ playwright, harness }) => {
  seeded = await seedDataset(playwright, harness, 'tools')
})

const saveStatus = (page: Page) => page.getByTestId('save-status')
const boxCount = (page: Page) => page.getByTestId('box-count')
const row = (page: Page, key: string) => page.locator(`[data-testid=annotation-row][data-key="${key}"]`)

/** Put boxes on an image through the API; `frac` boxes are fractions of the image. */
async function addBoxes(page: Page, harness: HarnessState, imageId: number, items: { frac: [number, number, number, number]; classIndex: number; attributes?: Record<string, unknown> }[]): Promise<void> {
  const { image } = await apiJson<{ image: { width: number; height: number } }>(page.request, 'GET', `/api/v1/od/datasets/${seeded.datasetId}/images/${imageId}/annotations`)
  const body = items.map(({ frac: [x1, y1, x2, y2], classIndex, attributes }) => ({
    image_id: imageId,
    class_id: seeded.classIds[classIndex],
    kind: 'bbox',
    x1: x1 * image.width,
    y1: y1 * image.height,
    x2: x2 * image.width,
    y2: y2 * image.height,
    ...(attributes ? { attributes } : {}),
  }))
  await apiJson(page.request, 'POST', '/api/v1/od/annotations/bulk', { dataset_id: seeded.datasetId, items: body }, harness.baseURL)
}

async function rightClickBox(page: Page, b: BoxJson): Promise<void> {
  const p = await toPage(page, (b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2)
  await page.mouse.click(p.x, p.y, { button: 'right' })
}

function coords(b: BoxJson | undefined) {
  return b ? [b.x1, b.y1, b.x2, b.y2].map((v) => Math.round(v * 100) / 100) : []
}

test('copy a box, go to the next image, paste, save, and it is there after a reload', async ({ page }) => {
  const [first, second] = seeded.imageIds
  await openImage(page, seeded.datasetId, first ?? 0)
  await expect(page.getByTestId('editor-dataset-link')).toHaveText(seeded.datasetName)

  // Draw a box in the top-left quarter: it fits on the next photo too.
  await page.keyboard.press('b')
  await dragImage(page, [0.1, 0.1], [0.35, 0.3], true)
  await expect(boxCount(page)).toHaveText('1')
  const [original] = await boxes(page)
  await page.keyboard.press('Control+c')
  await expect(page.getByText(/Copied 1 box/)).toBeVisible()

  // On the same image the paste moves off the original, and undo takes it away.
  await page.keyboard.press('Control+v')
  await expect(boxCount(page)).toHaveText('2')
  const [, onSame] = await boxes(page)
  expect(onSame?.x1).toBeGreaterThan(original?.x1 ?? 0)
  expect(onSame?.y1).toBeGreaterThan(original?.y1 ?? 0)
  expect((onSame?.x2 ?? 0) - (onSame?.x1 ?? 0)).toBeCloseTo((original?.x2 ?? 0) - (original?.x1 ?? 0), 3)
  await page.keyboard.press('Control+z')
  await expect(boxCount(page)).toHaveText('1')

  // Plain → goes to the next image (saving first); the clipboard comes along.
  await page.keyboard.press('ArrowRight')
  await expect(page).toHaveURL(new RegExp(`/od/annotate/${seeded.datasetId}/${second}$`))
  await waitForImage(page, second ?? 0)
  await expect(boxCount(page)).toHaveText('0')
  await page.keyboard.press('Control+v')
  await expect(boxCount(page)).toHaveText('1')
  const [pasted] = await boxes(page)
  expect(pasted?.id).toBeNull()
  expect(pasted?.classId).toBe(original?.classId)
  expect(coords(pasted)).toEqual(coords(original))

  await page.keyboard.press('Control+s')
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'saved')
  const onServer = await serverAnnotations(page, seeded.datasetId, second ?? 0)
  expect(onServer.items).toHaveLength(1)
  expect(onServer.items[0]?.class_id).toBe(original?.classId)

  await page.reload()
  await waitForImage(page, second ?? 0)
  const reloaded = await boxes(page)
  expect(reloaded).toHaveLength(1)
  expect(reloaded[0]?.id).toBe(onServer.items[0]?.id)
  expect(coords(reloaded[0])).toEqual(coords(original))

  // The header's dataset name leads back to the dataset.
  await page.getByTestId('editor-dataset-link').click()
  await expect(page).toHaveURL(new RegExp(`/od/datasets/${seeded.datasetId}$`))
  await expect(page.getByRole('heading', { level: 1, name: seeded.datasetName })).toBeVisible()
})

test('Shift+arrows nudge the selected box (held: one undo step); plain arrows still change the image', async ({ page }) => {
  const image = seeded.imageIds[2] ?? 0
  await openImage(page, seeded.datasetId, image)
  await page.keyboard.press('b')
  await dragImage(page, [0.4, 0.4], [0.6, 0.6], true)
  const [start] = await boxes(page)
  if (!start) throw new Error('no box')

  await page.keyboard.press('Shift+ArrowRight')
  await page.keyboard.press('Shift+ArrowRight')
  await page.keyboard.press('Shift+ArrowUp')
  await page.keyboard.press('Control+Shift+ArrowDown')
  await expect.poll(async () => coords((await boxes(page))[0])).toEqual(coords({ ...start, x1: start.x1 + 2, x2: start.x2 + 2, y1: start.y1 + 9, y2: start.y2 + 9 }))
  await expect(page).toHaveURL(new RegExp(`/${image}$`))

  // Held down, the auto-repeat is one step: one undo puts the box back where the key went down.
  await page.keyboard.down('Shift')
  for (let i = 0; i < 6; i++) await page.keyboard.down('ArrowLeft')
  await page.keyboard.up('ArrowLeft')
  await page.keyboard.up('Shift')
  expect((await boxes(page))[0]?.x1).toBeCloseTo(start.x1 - 4, 3)
  await page.keyboard.press('Control+z')
  expect((await boxes(page))[0]?.x1).toBeCloseTo(start.x1 + 2, 3)
  await page.keyboard.press('Control+z')
  expect((await boxes(page))[0]?.y1).toBeCloseTo(start.y1 - 1, 3)

  // The help lists the nudge keys.
  await page.keyboard.press('Shift+?')
  await expect(page.getByTestId('shortcut-help')).toContainText('Nudge the selected shapes by 10 px')
  await page.keyboard.press('Escape')

  await page.keyboard.press('ArrowRight')
  await expect(page).toHaveURL(new RegExp(`/${seeded.imageIds[3]}$`))
})

test('right click: the menu changes the class, locks, hides and deletes (screenshot with the attributes panel)', async ({ page, harness }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const image = seeded.imageIds[3] ?? 0
  await addBoxes(page, harness, image, [
    { frac: [0.15, 0.2, 0.45, 0.6], classIndex: 0, attributes: { difficult: true, pose: 'Frontal' } },
    { frac: [0.6, 0.25, 0.85, 0.55], classIndex: 1 },
  ])
  await openImage(page, seeded.datasetId, image)
  await expect(boxCount(page)).toHaveText('2')
  const [a] = await boxes(page)
  if (!a) throw new Error('no boxes')
  const menu = page.getByTestId('box-context-menu')

  // A right click on a box selects it and opens the menu.
  await rightClickBox(page, a)
  await expect(menu).toBeVisible()
  await expect(page.getByTestId('selection-count')).toHaveText('1 selected')
  for (const item of ['Copy', 'Cut', 'Paste', 'Hide', 'Lock', 'Bring to front', 'Send to back', 'Delete']) {
    await expect(menu.getByRole('menuitem', { name: new RegExp(`^${item}`) })).toBeVisible()
  }
  await menu.getByRole('menuitem', { name: 'Class' }).hover()
  const classes = page.getByTestId('context-menu-classes')
  await expect(classes).toBeVisible()
  await page.waitForTimeout(200)
  await shot(page, 'editor-context-menu', { fullPage: false })
  await classes.getByRole('menuitem', { name: seeded.classNames[1] }).click()
  await expect(menu).toBeHidden()
  expect((await boxes(page))[0]?.classId).toBe(seeded.classIds[1])
  // The box the menu was opened on is selected, so the side panel shows its attributes.
  const panel = page.getByTestId('attributes-panel')
  await expect(panel.getByRole('checkbox', { name: 'difficult' })).toBeChecked()
  await expect(panel.getByRole('textbox', { name: 'Value of pose' })).toHaveValue('Frontal')

  // Lock: still drawn, but a click goes through it and a drag does not move it.
  await rightClickBox(page, a)
  await menu.getByRole('menuitem', { name: /^Lock/ }).click()
  await expect(row(page, a.key)).toHaveAttribute('data-locked', 'true')
  await expect(page.getByTestId('selection-count')).toBeHidden()
  const lockedAt = coords(a)
  await page.keyboard.press('v')
  await dragImage(page, [(a.x1 + a.x2) / 2, (a.y1 + a.y2) / 2], [(a.x1 + a.x2) / 2 + 80, (a.y1 + a.y2) / 2 + 40])
  expect(coords((await boxes(page))[0])).toEqual(lockedAt)
  await expect(page.getByTestId('selection-count')).toBeHidden()
  await rightClickBox(page, a)
  await expect(menu.getByRole('menuitem', { name: /^Delete/ })).toBeDisabled()
  await menu.getByRole('menuitem', { name: 'Unlock' }).click()
  await expect(row(page, a.key)).not.toHaveAttribute('data-locked', 'true')

  // Hide: gone from the canvas (a right click there finds nothing), back from the empty-space menu.
  await rightClickBox(page, a)
  await menu.getByRole('menuitem', { name: /^Hide/ }).click()
  await expect(row(page, a.key)).toHaveAttribute('data-hidden', 'true')
  await rightClickBox(page, a)
  await menu.getByRole('menuitem', { name: /Show hidden boxes \(1\)/ }).click()
  await expect(row(page, a.key)).not.toHaveAttribute('data-hidden', 'true')

  // Delete from the menu, and undo.
  const [, b] = await boxes(page)
  if (!b) throw new Error('no second box')
  await rightClickBox(page, b)
  await menu.getByRole('menuitem', { name: /^Delete/ }).click()
  await expect(boxCount(page)).toHaveText('1')
  await page.keyboard.press('Control+z')
  await expect(boxCount(page)).toHaveText('2')
  expect(errors).toEqual([])
})

test('edit attributes in the side panel: saved with the box and shown again after a reload', async ({ page, harness }) => {
  const image = seeded.imageIds[4] ?? 0
  await addBoxes(page, harness, image, [{ frac: [0.2, 0.2, 0.5, 0.5], classIndex: 2, attributes: { difficult: true, pose: 'Frontal' } }])
  await openImage(page, seeded.datasetId, image)
  const panel = page.getByTestId('attributes-panel')
  await expect(panel).toContainText('Select one box')
  await page.getByTestId('annotation-row').first().getByText('#1').click()

  await panel.getByRole('checkbox', { name: 'occluded' }).click()
  await panel.getByRole('checkbox', { name: 'difficult' }).click()
  await panel.getByRole('textbox', { name: 'Value of pose' }).fill('Left')
  await panel.getByRole('textbox', { name: 'Value of pose' }).press('Enter')
  await panel.getByLabel('New attribute name').fill('facings')
  await panel.getByLabel('New attribute type').selectOption('number')
  await panel.getByRole('button', { name: 'Add attribute' }).click()
  await panel.getByRole('spinbutton', { name: 'Value of facings' }).fill('3')
  await panel.getByRole('spinbutton', { name: 'Value of facings' }).press('Enter')
  await panel.getByLabel('New attribute name').fill('fragile')
  await panel.getByLabel('New attribute type').selectOption('boolean')
  await panel.getByRole('button', { name: 'Add attribute' }).click()
  await expect(panel.getByRole('checkbox', { name: 'Value of fragile' })).toBeChecked()
  // A name already used is refused with a reason.
  await panel.getByLabel('New attribute name').fill('pose')
  await panel.getByRole('button', { name: 'Add attribute' }).click()
  await expect(panel).toContainText('"pose" is already set.')
  await panel.getByLabel('New attribute name').fill('')
  await expect(panel).not.toContainText('already set')
  await shot(page, 'editor-attributes', { fullPage: false })

  // Undo takes back one edit at a time.
  await page.getByTestId('annotation-row').first().getByText('#1').click()
  await page.keyboard.press('Control+z')
  await expect(panel.getByRole('checkbox', { name: 'Value of fragile' })).toBeHidden()
  await page.keyboard.press('Control+y')

  await page.keyboard.press('Control+s')
  await expect(saveStatus(page)).toHaveAttribute('data-status', 'saved')
  const expected = { occluded: true, pose: 'Left', facings: 3, fragile: true }
  expect((await serverAnnotations(page, seeded.datasetId, image)).items[0]?.attributes).toEqual(expected)

  await page.reload()
  await waitForImage(page, image)
  await page.getByTestId('annotation-row').first().getByText('#1').click()
  await expect(panel.getByRole('checkbox', { name: 'occluded' })).toBeChecked()
  await expect(panel.getByRole('checkbox', { name: 'difficult' })).not.toBeChecked()
  await expect(panel.getByRole('textbox', { name: 'Value of pose' })).toHaveValue('Left')
  await expect(panel.getByRole('spinbutton', { name: 'Value of facings' })).toHaveValue('3')
})
