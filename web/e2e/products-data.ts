/**
 * What the products spec uploads, written by Python into the harness's temp folder from the shared
 * products set (../shared/data/products, 54 products in the folders studio / store / shelf): the images
 * zip laid out <sku>/<folder>/<file>, a crop of one product's store photo (a hand-made cutout), a short
 * MP4 of that product's photos, and a COCO zip of "shelf photos" tiled from store photos with a box
 * around each product, for making cutouts.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { APIRequestContext } from '@playwright/test'
import { REPO_ROOT } from './harness'
import { csrfHeaders } from './helpers'
import { waitForJob } from './training-data'

export const PRODUCTS_DIR = path.join(REPO_ROOT, '..', 'shared', 'data', 'products')
export const CATALOGUE_CSV = path.join(PRODUCTS_DIR, 'products.csv')
/** The product the spec opens: 1 studio + 15 store photos in the shared set. */
export const SKU = 'gsd_Arla-Standard-Milk'

const SCRIPT = String.raw`
import json, sys, zipfile
from pathlib import Path
import av
from PIL import Image
src, out, sku = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
out.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(out / "images.zip", "w") as zf:
    for product in sorted(p for p in src.iterdir() if p.is_dir()):
        for folder in sorted(d for d in product.iterdir() if d.is_dir()):
            for f in sorted(folder.iterdir()):
                zf.write(f, f"{product.name}/{folder.name}/{f.name}")
store = sorted((src / sku / "store").iterdir())
first = Image.open(store[0]).convert("RGB")
w, h = first.size
first.crop((w // 5, h // 6, w * 4 // 5, h * 5 // 6)).save(out / "cutout.jpg", quality=90)
with av.open(str(out / "turntable.mp4"), "w") as container:
    stream = container.add_stream("mpeg4", rate=10)
    stream.width, stream.height, stream.pix_fmt = 320, 320, "yuv420p"
    for i in range(30):
        img = Image.open(store[(i // 5) % len(store)]).convert("RGB").resize((320, 320))
        for packet in stream.encode(av.VideoFrame.from_image(img)):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
gsd = sorted(p for p in src.iterdir() if p.is_dir() and p.name.startswith("gsd_"))
images, anns = [], []
with zipfile.ZipFile(out / "shelves.zip", "w") as zf:
    for n in range(1, 4):
        shelf = Image.new("RGB", (1200, 520), (96, 84, 72))
        for slot in range(6):
            product = gsd[(n * 6 + slot) % len(gsd)]
            photo = sorted((product / "store").iterdir())[n]
            x, y = 20 + slot * 196, 40 + (slot % 2) * 40
            shelf.paste(Image.open(photo).convert("RGB").resize((176, 176)), (x, y))
            anns.append({"id": len(anns) + 1, "image_id": n, "category_id": 1, "bbox": [x, y, 176, 176], "area": 176 * 176, "iscrowd": 0})
        name = f"shelf_{n}.jpg"
        shelf.save(out / name, quality=90)
        zf.write(out / name, f"images/{name}")
        images.append({"id": n, "file_name": name, "width": 1200, "height": 520})
    zf.writestr("annotations/instances_default.json", json.dumps({"images": images, "annotations": anns, "categories": [{"id": 1, "name": sys.argv[4]}]}))
`

export interface ProductFiles {
  imagesZip: string
  cutout: string
  video: string
  shelvesZip: string
}

export function writeProductFiles(folder: string, className: string): ProductFiles {
  const python = path.join(REPO_ROOT, '.venv', 'bin', 'python')
  const made = spawnSync(python, ['-c', SCRIPT, PRODUCTS_DIR, folder, SKU, className], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`writing the products spec's files failed:\n${made.stdout}\n${made.stderr}`)
  return {
    imagesZip: path.join(folder, 'images.zip'),
    cutout: path.join(folder, 'cutout.jpg'),
    video: path.join(folder, 'turntable.mp4'),
    shelvesZip: path.join(folder, 'shelves.zip'),
  }
}

/** Import the tiled shelf photos with their boxes as a new object-detection dataset; its id. */
export async function importShelves(request: APIRequestContext, base: string, zip: string, name: string): Promise<number> {
  const response = await request.post('/api/v1/od/images/import/coco', {
    headers: await csrfHeaders(request, base),
    multipart: { file: { name: 'shelves.zip', mimeType: 'application/zip', buffer: fs.readFileSync(zip) }, dataset_name: name },
  })
  if (response.status() !== 202) throw new Error(`import → ${response.status()}: ${await response.text()}`)
  const job = await waitForJob(request, base, ((await response.json()) as { job: { id: number } }).job.id)
  if (job.status !== 'succeeded') throw new Error(`shelf import ${job.status}: ${job.error}`)
  return Number(job.result?.dataset_id)
}
