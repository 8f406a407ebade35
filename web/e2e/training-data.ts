/**
 * What the training and model specs share: a small synthetic detection set (coloured rectangles of two
 * classes on noise, 8 train / 3 val / 3 test images, splits recorded in COCO files) written by Python
 * into the harness's temp folder, imported through the real COCO import and frozen as a version; the
 * tiny RT-DETRv2 config the backend tests use, so a run takes seconds on a CPU; and a wait for a run.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { APIRequestContext } from '@playwright/test'
import { REPO_ROOT } from './harness'
import { apiJson, csrfHeaders } from './helpers'

export const TINY_ARCH = 'rtdetrv2-r18'

/** About 50 k parameters (tests/training/conftest.py): two epochs on 64 px images take seconds. */
export const TINY_RTDETR = {
  backbone: { layer_type: 'basic', depths: [1, 1, 1, 1], hidden_sizes: [8, 16, 32, 64], embedding_size: 8 },
  encoder_hidden_dim: 16,
  d_model: 16,
  encoder_ffn_dim: 32,
  decoder_ffn_dim: 32,
  decoder_layers: 2,
  num_queries: 20,
  num_denoising: 5,
  encoder_attention_heads: 2,
  decoder_attention_heads: 2,
}

export function tinyConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    epochs: 2,
    batch_size: 4,
    image_size: 64,
    learning_rate: 1e-3,
    warmup_epochs: 0,
    pretrained: false,
    device: 'cpu',
    augmentation: 'light',
    patience: null,
    model_overrides: TINY_RTDETR,
    ...overrides,
  }
}

const SCRIPT = `
import json, random, sys, zipfile
from pathlib import Path
from PIL import Image, ImageDraw
root, seed = Path(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
cats = [{"id": 1, "name": sys.argv[3]}, {"id": 2, "name": sys.argv[4]}]
colours = [(220, 40, 40), (40, 90, 220)]
with zipfile.ZipFile(root / "set.zip", "w") as zf:
    for split, count in (("train", 8), ("val", 3), ("test", 3)):
        images, anns = [], []
        for n in range(1, count + 1):
            img = Image.effect_noise((96, 72), 40).convert("RGB")
            draw = ImageDraw.Draw(img)
            for _ in range(rng.randint(1, 3)):
                c = rng.randrange(2)
                w, h = rng.randint(14, 30), rng.randint(14, 30)
                x, y = rng.randint(0, 96 - w), rng.randint(0, 72 - h)
                draw.rectangle([x, y, x + w, y + h], fill=colours[c])
                anns.append({"id": len(anns) + 1, "image_id": n, "category_id": c + 1, "bbox": [x, y, w, h], "area": w * h, "iscrowd": 0})
            name = f"{split}_{seed}_{n:03d}.jpg"
            path = root / name
            img.save(path, quality=92)
            zf.write(path, f"images/{split}/{name}")
            images.append({"id": n, "file_name": name, "width": 96, "height": 72})
        zf.writestr(f"annotations/instances_{split}.json", json.dumps({"images": images, "annotations": anns, "categories": cats}))
print(root / "set.zip")
`

/** Write the synthetic set's zip under `folder`; its path. */
export function writeSyntheticZip(folder: string, seed: number, classNames: [string, string]): string {
  fs.mkdirSync(folder, { recursive: true })
  const python = path.join(REPO_ROOT, '.venv', 'bin', 'python')
  const made = spawnSync(python, ['-c', SCRIPT, folder, String(seed), ...classNames], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`writing the synthetic training set failed:\n${made.stdout}\n${made.stderr}`)
  return made.stdout.trim()
}

interface JobJson {
  id: number
  status: string
  error: string | null
  result: Record<string, unknown> | null
}

export async function waitForJob(request: APIRequestContext, base: string, id: number, timeoutMs = 120_000): Promise<JobJson> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const job = await apiJson<JobJson>(request, 'GET', `/api/v1/jobs/${id}`, undefined, base)
    if (!['queued', 'running'].includes(job.status)) return job
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

export interface TrainingSet {
  datasetId: number
  datasetName: string
  versionId: number
  versionNumber: number
}

/** Import the synthetic set as a new dataset and freeze a version of it (splits as the COCO files say). */
export async function makeTrainingSet(request: APIRequestContext, base: string, tmpDir: string, name: string, seed: number): Promise<TrainingSet> {
  const zip = writeSyntheticZip(path.join(tmpDir, `training-set-${seed}`), seed, [`red-${name}`, `blue-${name}`])
  const response = await request.post('/api/v1/od/images/import/coco', {
    headers: await csrfHeaders(request, base),
    multipart: { file: { name: 'set.zip', mimeType: 'application/zip', buffer: fs.readFileSync(zip) }, dataset_name: name },
  })
  if (response.status() !== 202) throw new Error(`import → ${response.status()}: ${await response.text()}`)
  const imported = await waitForJob(request, base, ((await response.json()) as { job: { id: number } }).job.id)
  if (imported.status !== 'succeeded') throw new Error(`import ${imported.status}: ${imported.error}`)
  const datasetId = Number(imported.result?.dataset_id)
  const created = await apiJson<{ job: { id: number }; version: { id: number; number: number } }>(request, 'POST', `/api/v1/od/datasets/${datasetId}/versions`, {}, base)
  const built = await waitForJob(request, base, created.job.id)
  if (built.status !== 'succeeded') throw new Error(`version ${built.status}: ${built.error}`)
  return { datasetId, datasetName: name, versionId: created.version.id, versionNumber: created.version.number }
}

export interface RunJson {
  id: number
  name: string
  status: string
  model_id: number | null
  error: string | null
  current_epoch: number
  total_epochs: number
}

/** Start a tiny run through the API (the models spec's second model); 202 asserted. */
export async function startTinyRun(request: APIRequestContext, base: string, versionId: number, name: string, config: Record<string, unknown> = {}): Promise<RunJson> {
  const body = { name, dataset_version_id: versionId, architecture: TINY_ARCH, config: tinyConfig(config) }
  return (await apiJson<{ run: RunJson }>(request, 'POST', '/api/v1/od/training', body, base)).run
}

export async function waitForRun(request: APIRequestContext, base: string, id: number, timeoutMs = 240_000): Promise<RunJson> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const run = await apiJson<RunJson>(request, 'GET', `/api/v1/od/training/${id}`, undefined, base)
    if (!['queued', 'running'].includes(run.status)) return run
    if (Date.now() > until) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 1000))
  }
}
