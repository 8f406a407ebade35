/**
 * The AI spec's models: tiny random-weight Grounding DINO and SAM 2.1 folders written with
 * save_pretrained into the running server's `<data dir>/models/<key>/` (the folder an offline user
 * fills), by the backend's own test helpers, so the real loaders run. The server reads that folder on
 * each use, so the spec installs them when it starts (after the AI models page spec, which counts
 * what is installed).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from './harness'

export const TINY_DETECTOR = 'grounding-dino-tiny'
export const TINY_SAM = 'sam2.1-hiera-tiny'

const SCRIPT = `
import sys
from shelfscope.config import Settings
from tests.support.tiny_models import install_tiny_model
from tests.support.tiny_sam import install_tiny_sam
settings = Settings(data_dir=sys.argv[1])
print(install_tiny_model(settings, sys.argv[2]))
print(install_tiny_sam(settings, sys.argv[3]))
`

export function installTinyModels(dataDir: string): void {
  const helpers = ['tiny_models.py', 'tiny_sam.py'].map((name) => path.join(REPO_ROOT, 'tests', 'support', name))
  if (!helpers.every((file) => fs.existsSync(file))) throw new Error('tests/support has no tiny model helpers (tiny_models.py, tiny_sam.py)')
  const python = path.join(REPO_ROOT, '.venv', 'bin', 'python')
  const made = spawnSync(python, ['-c', SCRIPT, dataDir, TINY_DETECTOR, TINY_SAM], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } })
  if (made.status !== 0) throw new Error(`installing the tiny AI models failed:\n${made.stdout}\n${made.stderr}`)
  process.stdout.write(`[e2e] tiny AI models: ${made.stdout.trim().split('\n').join(', ')}\n`)
}
