/**
 * A dataset's label set end to end, against the real server of globalSetup: reorder it in the
 * dataset's Classes tab (arrows and drag), then in the editor key 1 draws with the first class of
 * the set, Enter in the class search picks the match, and the last class used opens the next image.
 */
import type { Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { apiJson, shot } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE, viewport: { width: 1600, height: 1000 } })
test.describe.configure({ mode: 'serial' })

interface Seeded {
  datasetId: number
  imageIds: number[]
  /** shelf, price, gap: the order the set is created in. */
  classIds: number[]
  names: string[]
}

interface LabelSetJson {
  items: { id: number; name: string; key: number | null; listed: boolean }[]
}

/** The part of the editor page's `window.__shelfscopeEditor` hook this spec reads. */
interface EditorView {
  imageId: number
  renderedAt: number | null
  editor: {
    doc: { all(): readonly { classId: number }[]; image: { width: number; height: number } }
    viewport: { toScreen(p: { x: number; y: number }): { x: number; y: number } }
  }
}

let seeded: Seeded

const labelSet = (page: Page) => apiJson<LabelSetJson>(page.request, 'GET', `/api/v1/od/datasets/${seeded.datasetId}/classes`)

async function openEditor(page: Page, imageId: number): Promise<void> {
  await page.goto(`/od/annotate/${seeded.datasetId}/${imageId}`)
  await page.waitForFunction((id) => {
    const h = (window as unknown as { __shelfscopeEditor?: EditorView }).__shelfscopeEditor
    return h?.imageId === id && h.renderedAt !== null
  }, imageId)
}

/** Drag across the canvas between two points given as fractions of the image. */
async function drawBox(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const canvas = await page.getByTestId('editor-canvas').boundingBox()
  if (!canvas) throw new Error('no canvas')
  const point = async ([fx, fy]: [number, number]) => {
    const s = await page.evaluate(([x, y]) => {
      const e = (window as unknown as { __shelfscopeEditor?: EditorView }).__shelfscopeEditor?.editor
      return e ? e.viewport.toScreen({ x: (x ?? 0) * e.doc.image.width, y: (y ?? 0) * e.doc.image.height }) : null
    }, [fx, fy])
    if (!s) throw new Error('no editor')
    return { x: canvas.x + s.x, y: canvas.y + s.y }
  }
  const a = await point(from)
  const b = await point(to)
  await page.mouse.move(a.x, a.y)
  await page.mouse.down()
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 })
  await page.mouse.move(b.x, b.y, { steps: 4 })
  await page.mouse.up()
}

const boxClasses = (page: Page) =>
  page.evaluate(() => ((window as unknown as { __shelfscopeEditor?: EditorView }).__shelfscopeEditor?.editor.doc.all() ?? []).map((a) => a.classId))
const currentClass = (page: Page) => page.getByRole('radiogroup', { name: 'Current class' }).getByRole('radio', { checked: true })

test.beforeAll(async ({ playwright, harness }) => {
  const request = await playwright.request.newContext({ baseURL: harness.baseURL, storageState: AUTH_STATE })
  const stamp = Date.now().toString(36)
  const names = ['shelf', 'price', 'gap'].map((n) => `ls-${n}-${stamp}`)
  const classIds: number[] = []
  for (const name of names) classIds.push((await apiJson<{ id: number }>(request, 'POST', '/api/v1/od/classes', { name })).id)
  // A catalogue class outside the set: the editor offers it through the search only.
  await apiJson(request, 'POST', '/api/v1/od/classes', { name: `ls-other-${stamp}` })
  const images = await apiJson<{ items: { id: number }[] }>(request, 'GET', '/api/v1/od/images?limit=3')
  const dataset = await apiJson<{ id: number }>(request, 'POST', '/api/v1/od/datasets', { name: `Label set e2e ${stamp}` })
  await apiJson(request, 'POST', `/api/v1/od/datasets/${dataset.id}/images`, { image_ids: images.items.map((i) => i.id) })
  const members = await apiJson<{ items: { image_id: number }[] }>(request, 'GET', `/api/v1/od/datasets/${dataset.id}/images?limit=10`)
  await apiJson(request, 'PUT', `/api/v1/od/datasets/${dataset.id}/classes`, { class_ids: classIds })
  seeded = { datasetId: dataset.id, imageIds: members.items.map((m) => m.image_id), classIds, names }
  await request.dispose()
})

test('the Classes tab shows the label set in order and reorders it by arrows and by drag', async ({ page }) => {
  const [shelf, price, gap] = seeded.names as [string, string, string]
  await page.goto(`/od/datasets/${seeded.datasetId}`)
  await page.getByRole('tab', { name: 'Classes' }).click()
  await expect(page).toHaveURL(/\?tab=classes$/)
  const rows = page.getByTestId('label-set-row')
  await expect(rows).toHaveText([new RegExp(`^1${shelf}`), new RegExp(`^2${price}`), new RegExp(`^3${gap}`)])

  // The arrows take gap to the top: gap, shelf, price.
  await page.getByRole('button', { name: `Move ${gap} up` }).click()
  await page.getByRole('button', { name: `Move ${gap} up` }).click()
  await expect(rows).toHaveText([new RegExp(`^1${gap}`), new RegExp(`^2${shelf}`), new RegExp(`^3${price}`)])
  // Dragging shelf onto the first row puts it first: shelf, gap, price.
  await rows.nth(1).dragTo(rows.nth(0))
  await expect(rows).toHaveText([new RegExp(`^1${shelf}`), new RegExp(`^2${gap}`), new RegExp(`^3${price}`)])
  // And price to the top: price, shelf, gap.
  await page.getByRole('button', { name: `Move ${price} up` }).click()
  await page.getByRole('button', { name: `Move ${price} up` }).click()
  await expect(rows).toHaveText([new RegExp(`^1${price}`), new RegExp(`^2${shelf}`), new RegExp(`^3${gap}`)])
  await shot(page, 'label-set-classes-tab-unsaved', { fullPage: false })

  await page.getByRole('button', { name: 'Save order' }).click()
  await expect(page.getByText(`Label set saved: keys 1–3 go to ${price}, ${shelf}, ${gap}`)).toBeVisible()
  await expect(page.getByRole('button', { name: 'Save order' })).toBeDisabled()
  const stored = await labelSet(page)
  expect(stored.items.map((c) => [c.name, c.key, c.listed])).toEqual([
    [price, 1, true],
    [shelf, 2, true],
    [gap, 3, true],
  ])
  await page.reload()
  await expect(rows).toHaveText([new RegExp(`^1${price}`), new RegExp(`^2${shelf}`), new RegExp(`^3${gap}`)])
  await shot(page, 'label-set-classes-tab', { fullPage: false })
})

test('in the editor key 1 draws with the first class of the set; Enter picks a searched class; the last one is remembered', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const [shelfId, priceId] = seeded.classIds as [number, number]
  const [shelf, price, gap] = seeded.names as [string, string, string]
  const [firstImage, secondImage] = seeded.imageIds as [number, number]
  await openEditor(page, firstImage)

  // The panel lists the set in its stored order (price, shelf, gap) with keys 1–3.
  const options = page.getByTestId('class-option')
  await expect(options).toHaveText([new RegExp(`^${price}.*1$`), new RegExp(`^${shelf}.*2$`), new RegExp(`^${gap}.*3$`)])
  await expect(page.getByTestId('other-classes-hint')).toBeVisible()

  await page.keyboard.press('3')
  await expect(currentClass(page)).toContainText(gap)
  await page.keyboard.press('1')
  await expect(currentClass(page)).toContainText(price)
  await page.keyboard.press('b')
  await drawBox(page, [0.1, 0.1], [0.4, 0.35])
  await expect(page.getByTestId('box-count')).toHaveText('1')
  expect(await boxClasses(page)).toEqual([priceId])
  await shot(page, 'label-set-editor-panel', { fullPage: false })

  // Enter in the search picks the match (for the next box: Escape first lets go of the drawn one,
  // which a pick would relabel) and gives the keys back to the canvas.
  await page.keyboard.press('Escape')
  const search = page.getByRole('textbox', { name: 'Search classes' })
  await search.fill('ls-')
  await expect(page.getByText('Other classes')).toBeVisible()
  await shot(page, 'label-set-editor-search', { fullPage: false })
  await search.fill(shelf.slice(0, 8))
  await search.press('Enter')
  await expect(currentClass(page)).toContainText(shelf)
  await expect(search).toHaveValue('')
  await drawBox(page, [0.5, 0.5], [0.8, 0.8])
  await expect(page.getByTestId('box-count')).toHaveText('2')
  expect(await boxClasses(page)).toEqual([priceId, shelfId])
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved', { timeout: 15_000 })

  // The next image opens with the last class used in this dataset.
  await openEditor(page, secondImage)
  await expect(currentClass(page)).toContainText(shelf)
  await page.keyboard.press('3')
  await openEditor(page, firstImage)
  await expect(currentClass(page)).toContainText(gap)
  await expect(page.getByTestId('box-count')).toHaveText('2')
  expect(await boxClasses(page)).toEqual([priceId, shelfId])

  // A catalogue class outside the set, used here, joins the set after the ordered classes.
  await search.fill('ls-other')
  await search.press('Enter')
  await page.keyboard.press('b')
  await drawBox(page, [0.6, 0.1], [0.9, 0.3])
  await expect(page.getByTestId('box-count')).toHaveText('3')
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved', { timeout: 15_000 })
  await page.goto(`/od/datasets/${seeded.datasetId}?tab=classes`)
  const rows = page.getByTestId('label-set-row')
  await expect(rows).toHaveCount(4)
  await expect(rows.nth(3)).toContainText('ls-other')
  await expect(rows.nth(3)).toContainText('from annotations')
  await expect(rows.nth(3).locator('kbd')).toHaveText('4')
  await shot(page, 'label-set-classes-tab-used-class', { fullPage: false })
  expect(errors).toEqual([])
})

test('a class created without choosing a colour gets one no other class has', async ({ page }) => {
  await page.goto('/od/classes')
  await page.getByRole('button', { name: 'New class' }).first().click()
  const dialog = page.getByTestId('class-dialog')
  await expect(dialog.getByRole('button', { name: 'Automatic' })).toHaveAttribute('aria-pressed', 'true')
  await expect(dialog.getByRole('button', { name: /^Use #/ })).toHaveCount(24)
  const name = `ls-auto-${Date.now().toString(36)}`
  await dialog.getByLabel('Name', { exact: true }).fill(name)
  await shot(page, 'label-set-new-class-automatic-colour', { fullPage: false })
  await dialog.getByTestId('save-class').click()
  await expect(page.getByText(`Created class ${name}`)).toBeVisible()

  const classes = await apiJson<{ items: { name: string; color: string }[] }>(page.request, 'GET', '/api/v1/od/classes?limit=500')
  const created = classes.items.find((c) => c.name === name)
  expect(created?.color).toMatch(/^#[0-9a-f]{6}$/)
  expect(classes.items.filter((c) => c.color === created?.color)).toHaveLength(1)
})
