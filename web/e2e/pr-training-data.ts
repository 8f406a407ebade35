/**
 * What the embedding-training spec trains on: ten products of the shared products set (GroceryStoreDataset
 * milk and juice packs), each with its studio photo as a synthetic image and eleven store photos as real
 * ones, re-encoded small by Python with a pixel keyed by the run's stamp (so the bytes are new even after
 * the products spec imported the same photos); created through the products API and gathered in a product
 * dataset of their own. And the tiny DINOv2 the backend tests use, installed into the server's models folder.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { APIRequestContext } from '@playwright/test'
import { REPO_ROOT } from './harness'
import { apiJson, csrfHeaders } from './helpers'
import { PRODUCTS_DIR } from './products-data'

export const TINY_BACKBONE = 'dinov2-small'
/** Ten products: above the server's minimum of 10, with 120 images (minimum 100). */
export const PRODUCT_COUNT = 10
export const REAL_PER_PRODUCT = 11

const SCRIPT = String.raw`
import json, sys, zlib
from pathlib import Path
from PIL import Image
src, out, stamp, count, real = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
products = sorted(p for p in src.iterdir() if p.is_dir() and p.name.startswith("gsd_"))[:count]
mark = zlib.crc32(stamp.encode())
listing = []
for product in products:
    files = {"synthetic": sorted((product / "studio").iterdir())[:1], "real": sorted((product / "store").iterdir())[:real]}
    entry = {"sku": f"{product.name}-{stamp}", "name": product.name[4:].replace("-", " "), "images": {}}
    entry["category"] = "Juice" if "Juice" in product.name else "Milk"
    for domain, paths in files.items():
        folder = out / product.name / domain
        folder.mkdir(parents=True, exist_ok=True)
        for n, path in enumerate(paths):
            img = Image.open(path).convert("RGB")
            img.thumbnail((96, 96))
            img.putpixel((0, 0), ((mark >> 16) & 255, (mark >> 8) & 255, (mark + n) & 255))
            target = folder / f"{path.stem}.png"
            img.save(target)
            entry["images"].setdefault(domain, []).append(str(target))
    listing.append(entry)
print(json.dumps(listing))
`

interface SeedProduct {
  sku: string
  name: string
  category: string
  images: Record<'synthetic' | 'real', string[]>
}

export interface TrainingProducts {
  productIds: number[]
  images: number
  datasetId: number
  datasetName: string
}

function writeImages(folder: string, stamp: string): SeedProduct[] {
  const python = path.join(REPO_ROOT, '.venv', 'bin', 'python')
  const made = spawnSync(python, ['-c', SCRIPT, PRODUCTS_DIR, folder, stamp, String(PRODUCT_COUNT), String(REAL_PER_PRODUCT)], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`writing the embedding spec's images failed:\n${made.stdout}\n${made.stderr}`)
  return JSON.parse(made.stdout) as SeedProduct[]
}

async function upload(request: APIRequestContext, base: string, productId: number, domain: string, files: string[]): Promise<number> {
  const form = new FormData()
  for (const file of files) form.append('files', new Blob([fs.readFileSync(file)], { type: 'image/png' }), path.basename(file))
  form.append('domain', domain)
  const response = await request.post(`/api/v1/pr/products/${productId}/images`, { headers: await csrfHeaders(request, base), multipart: form })
  if (!response.ok()) throw new Error(`upload → ${response.status()}: ${await response.text()}`)
  const result = (await response.json()) as { stored: number; duplicates: number; errors: number }
  if (result.stored !== files.length) throw new Error(`upload stored ${result.stored} of ${files.length} (${result.duplicates} duplicates, ${result.errors} errors)`)
  return result.stored
}

/** Create the ten products with their images and a product dataset holding exactly them. */
export async function seedTrainingProducts(request: APIRequestContext, base: string, tmpDir: string, stamp: string): Promise<TrainingProducts> {
  const products = writeImages(path.join(tmpDir, `pr-training-${stamp}`), stamp)
  const productIds: number[] = []
  let images = 0
  for (const p of products) {
    const created = await apiJson<{ id: number }>(request, 'POST', '/api/v1/pr/products', { sku: p.sku, name: p.name, category: p.category }, base)
    productIds.push(created.id)
    for (const domain of ['synthetic', 'real'] as const) images += await upload(request, base, created.id, domain, p.images[domain])
  }
  const datasetName = `Embedding set ${stamp}`
  const dataset = await apiJson<{ id: number }>(
    request,
    'POST',
    '/api/v1/pr/datasets',
    { name: datasetName, source: 'selection', selection: { product_ids: productIds }, domains: ['synthetic', 'real'], min_images_per_product: 2 },
    base,
  )
  return { productIds, images, datasetId: dataset.id, datasetName }
}

const INSTALL = `
import sys
from shelfscope.config import Settings
from tests.support.tiny_embedders import install_tiny_embedder
print(install_tiny_embedder(Settings(data_dir=sys.argv[1]), sys.argv[2]))
`

/** A tiny random DINOv2 (hidden 32, 2 layers, 32 px) as `<data dir>/models/dinov2-small/`, unless there already. */
export function installTinyEmbedder(dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, 'models', TINY_BACKBONE, 'config.json'))) return
  const python = path.join(REPO_ROOT, '.venv', 'bin', 'python')
  const made = spawnSync(python, ['-c', INSTALL, dataDir, TINY_BACKBONE], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } })
  if (made.status !== 0) throw new Error(`installing the tiny embedder failed:\n${made.stdout}\n${made.stderr}`)
  process.stdout.write(`[e2e] tiny embedder: ${made.stdout.trim()}\n`)
}
