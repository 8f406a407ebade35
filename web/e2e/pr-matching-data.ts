/**
 * What the matching spec works on: six products of its own, each with one packshot (a studio photo of
 * the shared products set, mirrored and framed on a background of the product's own colour, so no other
 * catalogue image looks like it), and two "shelf photos" that show those packshots pixel for pixel,
 * three to a shelf, with a box around each. The shelves are imported as a detection dataset and cut
 * into cutouts (margin 0), so each cutout is its product's packshot again, through one JPEG: even the
 * tiny random-weight embedder finds the right product first.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { APIRequestContext } from '@playwright/test'
import { REPO_ROOT } from './harness'
import { apiJson, csrfHeaders } from './helpers'
import { importShelves, PRODUCTS_DIR } from './products-data'
import { waitForJob } from './training-data'

export const MATCH_PRODUCTS = 6
const PER_SHELF = 3

const SCRIPT = String.raw`
import colorsys, json, sys, zipfile
from pathlib import Path
from PIL import Image, ImageOps
src, out, stamp, count, per_shelf = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
out.mkdir(parents=True, exist_ok=True)
gsd = sorted(p for p in src.iterdir() if p.is_dir() and p.name.startswith("gsd_"))[10:10 + count]
W, H = 120, 160
products = []
for i, product in enumerate(gsd):
    r, g, b = (int(v * 255) for v in colorsys.hsv_to_rgb(i / count, 0.85, 0.9))
    shot = Image.new("RGB", (W, H), (r, g, b))
    photo = ImageOps.mirror(Image.open(sorted((product / "studio").iterdir())[0]).convert("RGB"))
    photo.thumbnail((W - 24, H - 44))
    shot.paste(photo, ((W - photo.width) // 2, 12))
    shot.paste(Image.new("RGB", (W - 24, 14), (255 - r, 255 - g, 255 - b)), (12, H - 26))
    target = out / f"packshot_{i}.png"
    shot.save(target)
    products.append({"sku": f"match-{i}-{stamp}", "name": product.name[4:].replace("-", " ") + " (shelf " + stamp + ")", "packshot": str(target)})
images, anns, boxes = [], [], []
with zipfile.ZipFile(out / "shelves.zip", "w") as zf:
    for n in range(count // per_shelf):
        shelf = Image.new("RGB", (40 + per_shelf * 170, 260), (92, 82, 70))
        name = f"match_shelf_{stamp}_{n + 1}.png"
        for slot in range(per_shelf):
            i = n * per_shelf + slot
            x, y = 30 + slot * 170, 50
            shelf.paste(Image.open(products[i]["packshot"]), (x, y))
            anns.append({"id": len(anns) + 1, "image_id": n + 1, "category_id": 1, "bbox": [x, y, W, H], "area": W * H, "iscrowd": 0})
            boxes.append({"filename": name, "x1": x, "sku": products[i]["sku"]})
        shelf.save(out / name)
        zf.write(out / name, f"images/{name}")
        images.append({"id": n + 1, "file_name": name, "width": shelf.width, "height": shelf.height})
    zf.writestr("annotations/instances_default.json", json.dumps({"images": images, "annotations": anns, "categories": [{"id": 1, "name": "product"}]}))
print(json.dumps({"products": products, "boxes": boxes}))
`

interface Written {
  products: { sku: string; name: string; packshot: string }[]
  boxes: { filename: string; x1: number; sku: string }[]
}

export interface MatchData {
  /** SKU → product id. */
  productIds: Map<string, number>
  /** Cutout id → the SKU of the packshot it shows. */
  expected: Map<number, string>
  /** Shelf photo id → its cutouts. */
  shelves: Map<number, number[]>
  datasetId: number
}

function writeFiles(folder: string, stamp: string): Written {
  const python = path.join(REPO_ROOT, '.venv', 'bin', 'python')
  const made = spawnSync(python, ['-c', SCRIPT, PRODUCTS_DIR, folder, stamp, String(MATCH_PRODUCTS), String(PER_SHELF)], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`writing the matching spec's images failed:\n${made.stdout}\n${made.stderr}`)
  return JSON.parse(made.stdout) as Written
}

async function createProduct(request: APIRequestContext, base: string, p: Written['products'][number]): Promise<number> {
  const created = await apiJson<{ id: number }>(request, 'POST', '/api/v1/pr/products', { sku: p.sku, name: p.name, category: 'Shelf test' }, base)
  const form = new FormData()
  form.append('files', new Blob([fs.readFileSync(p.packshot)], { type: 'image/png' }), path.basename(p.packshot))
  form.append('domain', 'synthetic')
  const response = await request.post(`/api/v1/pr/products/${created.id}/images`, { headers: await csrfHeaders(request, base), multipart: form })
  if (!response.ok()) throw new Error(`packshot upload → ${response.status()}: ${await response.text()}`)
  return created.id
}

interface CutoutJson {
  id: number
  image_id: number
  box: { x1: number }
  image: { filename: string }
}

/** Products with their packshots, the shelves imported as a dataset, and its cutouts made from the boxes. */
export async function seedMatching(request: APIRequestContext, base: string, tmpDir: string, stamp: string): Promise<MatchData> {
  const written = writeFiles(path.join(tmpDir, `pr-matching-${stamp}`), stamp)
  const productIds = new Map<string, number>()
  for (const p of written.products) productIds.set(p.sku, await createProduct(request, base, p))
  const datasetId = await importShelves(request, base, path.join(tmpDir, `pr-matching-${stamp}`, 'shelves.zip'), `Matching shelves ${stamp}`)
  const started = await apiJson<{ job: { id: number } }>(request, 'POST', '/api/v1/pr/cutouts/jobs', { dataset_id: datasetId, source: 'annotations', margin: 0 }, base)
  const job = await waitForJob(request, base, started.job.id)
  if (job.status !== 'succeeded') throw new Error(`making cutouts ${job.status}: ${job.error}`)
  const cutouts = await apiJson<{ items: CutoutJson[] }>(request, 'GET', `/api/v1/pr/cutouts?dataset_id=${datasetId}&limit=100`, undefined, base)
  const expected = new Map<number, string>()
  const shelves = new Map<number, number[]>()
  for (const c of cutouts.items) {
    const box = written.boxes.find((b) => b.filename === c.image.filename && Math.abs(b.x1 - c.box.x1) < 1)
    if (!box) throw new Error(`cutout ${c.id} on ${c.image.filename} at x ${c.box.x1} matches no packshot`)
    expected.set(c.id, box.sku)
    shelves.set(c.image_id, [...(shelves.get(c.image_id) ?? []), c.id])
  }
  if (expected.size !== MATCH_PRODUCTS) throw new Error(`expected ${MATCH_PRODUCTS} cutouts, made ${expected.size}`)
  return { productIds, expected, shelves, datasetId }
}
