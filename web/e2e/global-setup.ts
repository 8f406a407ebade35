/**
 * Start a real Shelfscope for the e2e run: a fresh data folder seeded with real shelf photos
 * through `shelfscope images import`, then `shelfscope serve` on a free port. The first-admin
 * link it prints and the base URL go to a state file (and env) the tests read.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { REPO_ROOT, WEB_DIR, writeState } from './harness'

const SEED_COUNT = Number(process.env.SHELFSCOPE_E2E_IMAGES ?? '60')
const SEED_SOURCE = path.join(REPO_ROOT, '..', 'shared', 'data', 'detection', 'freiburg', 'yolo', 'images', 'training')
const SHELFSCOPE = path.join(REPO_ROOT, '.venv', 'bin', 'shelfscope')
const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python')
// Camera-sized photos (3-6 MP) made from the shared photos: they give the storage check real work,
// so a person (and the cancel test) can stop it while it runs.
const LARGE_COUNT = Number(process.env.SHELFSCOPE_E2E_LARGE_IMAGES ?? '80')
const LINK_PATTERN = /(https?:\/\/\S+)?(\/setup\?token=[^\s"']+)/
// How long the server may take to start (a loaded machine, a niced run): seconds.
const START_S = Number(process.env.SHELFSCOPE_E2E_START_S ?? '60')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address && typeof address === 'object') {
        const { port } = address
        server.close(() => resolve(port))
      } else reject(new Error('no port'))
    })
  })
}

function seedImages(tmpDir: string, env: NodeJS.ProcessEnv): number {
  const files = fs
    .readdirSync(SEED_SOURCE)
    .filter((name) => /\.(jpe?g|png)$/i.test(name))
    .sort()
  if (files.length === 0) throw new Error(`no images in ${SEED_SOURCE}`)
  const chosen = files.slice(0, SEED_COUNT)
  const folder = path.join(tmpDir, 'seed-images')
  fs.mkdirSync(folder, { recursive: true })
  for (const name of chosen) fs.copyFileSync(path.join(SEED_SOURCE, name), path.join(folder, name))
  if (LARGE_COUNT > 0) {
    const made = spawnSync(PYTHON, ['-m', 'bench.photos', String(LARGE_COUNT), path.join(folder, 'large')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
    if (made.status !== 0) throw new Error(`making large photos failed:\n${made.stdout}\n${made.stderr}`)
  }
  const result = spawnSync(SHELFSCOPE, ['images', 'import', folder], { env, encoding: 'utf8' })
  if (result.status !== 0) {
    throw new Error(`shelfscope images import failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
  }
  process.stdout.write(`[e2e] ${result.stdout.trim()}\n`)
  // Count what the library actually stored (identical files are stored once).
  const stored = /stored (\d+)/.exec(result.stdout)
  return stored ? Number(stored[1]) : chosen.length
}

/** The e2e's installed AI model: a save_pretrained-shaped folder (config.json and a valid, empty
 * safetensors file) that the AI models page lists as present. Not loadable: no spec runs it. */
const SEEDED_MODEL = 'florence-2-large'

function seedModelWeights(dataDir: string): void {
  const folder = path.join(dataDir, 'models', SEEDED_MODEL)
  fs.mkdirSync(folder, { recursive: true })
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ model_type: 'florence2' }))
  // safetensors: an 8-byte little-endian header length, the JSON header, then the tensor bytes (none).
  const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt' } }))
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(header.length))
  fs.writeFileSync(path.join(folder, 'model.safetensors'), Buffer.concat([length, header]))
}

async function waitForHealth(baseURL: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseURL}/api/v1/od/health`)
      if (response.ok) return
      last = `HTTP ${response.status}`
    } catch (error) {
      last = String(error)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`server at ${baseURL} never became healthy (${last})`)
}

export default async function globalSetup(): Promise<void> {
  if (!fs.existsSync(SHELFSCOPE)) throw new Error(`${SHELFSCOPE} is missing; create the venv first (make)`)
  if (!fs.existsSync(path.join(WEB_DIR, 'dist', 'index.html'))) {
    throw new Error('web/dist is missing; run `npm run build` in web/ first')
  }
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfscope-e2e-'))
  const dataDir = path.join(tmpDir, 'data')
  const env: NodeJS.ProcessEnv = { ...process.env, SHELFSCOPE_DATA_DIR: dataDir }
  delete env.SHELFSCOPE_JOB_THROTTLE_MS
  delete env.SHELFSCOPE_PUBLIC_URL

  const seededImages = seedImages(tmpDir, env)
  seedModelWeights(dataDir)
  const port = await freePort()
  const baseURL = `http://127.0.0.1:${port}`
  const logFile = path.join(tmpDir, 'server.log')
  const log = fs.createWriteStream(logFile)

  // Its own process group, so teardown can stop the server and the workers it supervises.
  const server = spawn(SHELFSCOPE, ['serve', '--host', '127.0.0.1', '--port', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  if (server.pid === undefined) throw new Error('could not start shelfscope serve')
  server.stdout.on('data', (chunk: Buffer) => log.write(chunk))
  server.stderr.on('data', (chunk: Buffer) => log.write(chunk))

  const setupPath = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      const match = LINK_PATTERN.exec(buffered)
      if (match?.[2]) finish(() => resolve(match[2] ?? ''))
    }
    const onExit = (code: number | null) =>
      finish(() => reject(new Error(`shelfscope serve exited with ${code} before printing the link:\n${buffered}`)))
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no first-admin link within ${START_S} s; see ${logFile}`))),
      START_S * 1000,
    )
    function finish(settle: () => void) {
      clearTimeout(timer)
      server.stdout.off('data', onData)
      server.off('exit', onExit)
      settle()
    }
    server.stdout.on('data', onData)
    server.on('exit', onExit)
  })

  await waitForHealth(baseURL, Math.max(30, START_S / 2) * 1000)

  const setupLink = `${baseURL}${setupPath}`
  writeState({ baseURL, setupLink, dataDir, tmpDir, pid: server.pid, seededImages })
  process.env.SHELFSCOPE_E2E_STATE = path.join(tmpDir, 'e2e-state.json')
  process.env.SHELFSCOPE_E2E_BASE_URL = baseURL
  process.env.SHELFSCOPE_E2E_SETUP_LINK = setupLink
  process.stdout.write(`[e2e] serving ${baseURL} (data ${dataDir}, log ${logFile})\n`)
}
