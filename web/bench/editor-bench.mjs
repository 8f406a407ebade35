/**
 * Editor benchmark: drives the built editor in headless Debian Chromium against a real
 * `shelfscope serve` seeded by bench/seed_editor.py, and prints load, fps, interaction latency
 * and heap for N boxes on a 4000×3000 JPEG.
 *
 *   cd web && npm run build && node bench/editor-bench.mjs [--boxes 0,500,5000] [--runs 3]
 *
 * Protocol: viewport 1600×1000, a fresh browser profile per run, median of the runs.
 * - load: navigation start → two animation frames after the static layer drew the image and all N boxes
 * - fps: 3 s of synthetic wheel events, one per frame at the canvas centre (1 s ctrl-zoom in,
 *   1 s pan on a circle, 1 s ctrl-zoom out); frames counted with requestAnimationFrame
 * - select/move/resize/create: real mouse input (CDP) → the next animation frame after the
 *   editor changed (that frame has drawn it); select on boxes at 10/30/50/70/90% of the list
 * - heap: HeapProfiler.collectGarbage, then Performance.getMetrics JSHeapUsedSize
 * Headless Chromium with --disable-gpu rasterises in software.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ROOT = path.resolve(WEB, '..')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const VIEWPORT = { width: 1600, height: 1000 }
const FRACTIONS = [0.1, 0.3, 0.5, 0.7, 0.9]

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const COUNTS = option('boxes', '0,500,5000').split(',').map(Number)
const RUNS = Number(option('runs', '3'))

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

async function waitHealthy(base) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/api/v1/od/health`)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error('server did not become healthy')
}

/** In the page: wait for the first full static frame, then two more frames; ms since navigation start. */
const loadedAt = () =>
  new Promise((resolve) => {
    const check = () => {
      const hook = window.__shelfscopeEditor
      if (hook && hook.renderedAt !== null) requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))
      else requestAnimationFrame(check)
    }
    check()
  })

/** In the page: 3 s of wheel events, one per frame; returns frames per second and the worst frame. */
const wheelFps = () =>
  new Promise((resolve) => {
    const canvas = document.querySelector('[data-testid="editor-canvas"] canvas[data-layer="interactive"]')
    const rect = canvas.getBoundingClientRect()
    const cx = rect.left + rect.width / 2
    const cy = rect.top + rect.height / 2
    const start = performance.now()
    let frames = 0
    let last = start
    let worst = 0
    const tick = (now) => {
      const t = now - start
      if (t >= 3000) return resolve({ fps: (frames * 1000) / t, worstFrameMs: worst })
      frames += 1
      worst = Math.max(worst, now - last)
      last = now
      let init
      if (t < 1000) init = { deltaY: -12, ctrlKey: true }
      else if (t < 2000) {
        const a = ((t - 1000) / 1000) * Math.PI * 2
        init = { deltaX: Math.cos(a) * 25, deltaY: Math.sin(a) * 25 }
      } else init = { deltaY: 12, ctrlKey: true }
      canvas.dispatchEvent(new WheelEvent('wheel', { clientX: cx, clientY: cy, bubbles: true, cancelable: true, ...init }))
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })

/** In the page: arm a probe that resolves with (next frame after the editor event) − (last pointer event time). */
const armProbe = (eventName) => {
  const hook = window.__shelfscopeEditor
  window.__probe = new Promise((resolve) => {
    let inputAt = null
    const onInput = (e) => {
      inputAt = e.timeStamp
    }
    window.addEventListener('pointerup', onInput, { capture: true })
    const off = hook.editor.events.on(eventName, () => {
      off()
      requestAnimationFrame(() => {
        const now = performance.now()
        window.removeEventListener('pointerup', onInput, { capture: true })
        resolve(inputAt === null ? NaN : now - inputAt)
      })
    })
  })
}

async function screenOf(page, imagePoint) {
  const canvas = await page.locator('[data-testid="editor-canvas"]').boundingBox()
  const s = await page.evaluate((p) => window.__shelfscopeEditor.editor.viewport.toScreen(p), imagePoint)
  return { x: canvas.x + s.x, y: canvas.y + s.y }
}

async function boxAt(page, fraction) {
  return page.evaluate((f) => {
    const all = window.__shelfscopeEditor.editor.doc.all()
    const a = all[Math.min(all.length - 1, Math.floor(all.length * f))]
    return { key: a.key, x1: a.x1, y1: a.y1, x2: a.x2, y2: a.y2 }
  }, fraction)
}

async function measure(page, eventName, act) {
  await page.evaluate(armProbe, eventName)
  await act()
  return page.evaluate(() => window.__probe)
}

async function interactions(page, n) {
  const out = { select: [], move: [], resize: [], create: [] }
  await page.keyboard.press('v')
  if (n > 0) {
    for (const f of FRACTIONS) {
      await page.keyboard.press('Escape')
      const b = await boxAt(page, f)
      const p = await screenOf(page, { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 })
      await page.mouse.move(p.x, p.y)
      out.select.push(await measure(page, 'selectionchange', () => page.mouse.click(p.x, p.y)))
    }
    for (const f of FRACTIONS) {
      const b = await boxAt(page, f)
      const p = await screenOf(page, { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 })
      out.move.push(
        await measure(page, 'documentchange', async () => {
          await page.mouse.move(p.x, p.y)
          await page.mouse.down()
          await page.mouse.move(p.x + 10, p.y + 6, { steps: 3 })
          await page.mouse.up()
        }),
      )
    }
    for (const f of FRACTIONS) {
      const b = await boxAt(page, f)
      await page.evaluate((key) => window.__shelfscopeEditor.editor.select([key]), b.key)
      const p = await screenOf(page, { x: b.x2, y: b.y2 })
      out.resize.push(
        await measure(page, 'documentchange', async () => {
          await page.mouse.move(p.x, p.y)
          await page.mouse.down()
          await page.mouse.move(p.x + 12, p.y + 9, { steps: 3 })
          await page.mouse.up()
        }),
      )
    }
  }
  await page.keyboard.press('b')
  for (const f of FRACTIONS) {
    const a = await screenOf(page, { x: 4000 * f, y: 3000 * 0.5 })
    out.create.push(
      await measure(page, 'documentchange', async () => {
        await page.mouse.move(a.x, a.y)
        await page.mouse.down()
        await page.mouse.move(a.x + 30, a.y + 24, { steps: 3 })
        await page.mouse.up()
      }),
    )
  }
  await page.keyboard.press('v')
  return out
}

async function runOnce(base, creds, target, n) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
  try {
    const context = await browser.newContext({ viewport: VIEWPORT })
    const login = await context.request.post(`${base}/api/v1/auth/login`, { data: { username: creds.username, password: creds.password } })
    if (!login.ok()) throw new Error(`login failed: ${login.status()}`)
    const page = await context.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${base}/od/annotate/${target.dataset_id}/${target.image_id}`, { waitUntil: 'commit' })
    const load = await Promise.race([
      page.evaluate(loadedAt),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the editor never finished its first frame')), 60_000)),
    ])
    const drawn = await page.evaluate(() => window.__shelfscopeEditor.lastRender)
    // Where the load time went: the API responses and the image, ms since navigation start.
    const timeline = await page.evaluate(() => ({
      domContentLoaded: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd,
      resources: performance
        .getEntriesByType('resource')
        .filter((r) => r.name.includes('/api/') || r.name.endsWith('.js'))
        .map((r) => ({ name: r.name.replace(location.origin, ''), start: Math.round(r.startTime), end: Math.round(r.responseEnd) })),
      rendered: window.__shelfscopeEditor.renderedAt,
    }))
    if (process.env.BENCH_TIMELINE) console.error(JSON.stringify(timeline, null, 1))
    if (drawn.drawn !== n) throw new Error(`expected ${n} boxes drawn, got ${drawn.drawn}`)
    await page.waitForTimeout(500) // let the smaller image levels finish
    const { fps, worstFrameMs } = await page.evaluate(wheelFps)
    await page.evaluate(() => window.__shelfscopeEditor.editor.fitToScreen())
    await page.waitForTimeout(200)
    const latency = await interactions(page, n)
    const cdp = await context.newCDPSession(page)
    await cdp.send('HeapProfiler.enable')
    await cdp.send('HeapProfiler.collectGarbage')
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value / 1024 / 1024
    // Leave nothing behind on the server for the next run: undo everything and save.
    await page.evaluate(async () => {
      const hook = window.__shelfscopeEditor
      while (hook.editor.undo()) {}
    })
    await page.keyboard.press('Control+s')
    await page.waitForFunction(() => window.__shelfscopeEditor.saveStatus() === 'saved', null, { timeout: 30_000 })
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
    return { load, fps, worstFrameMs, heap, latency, timeline }
  } finally {
    await browser.close()
  }
}

async function main() {
  if (!fs.existsSync(path.join(WEB, 'dist', 'index.html'))) throw new Error('run `npm run build` in web/ first')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfscope-editor-bench-'))
  const seeded = spawnSync(path.join(ROOT, '.venv', 'bin', 'python'), [path.join(ROOT, 'bench', 'seed_editor.py'), '--data-dir', dataDir, '--boxes', COUNTS.join(',')], { encoding: 'utf8' })
  if (seeded.status !== 0) throw new Error(`seeding failed:\n${seeded.stderr}`)
  const creds = JSON.parse(seeded.stdout.trim().split('\n').at(-1))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const server = spawn(path.join(ROOT, '.venv', 'bin', 'shelfscope'), ['serve', '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, SHELFSCOPE_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  let serverLog = ''
  server.stderr.on('data', (c) => (serverLog = (serverLog + c).slice(-4000)))
  try {
    await waitHealthy(base)
    const version = (await chromium.launch({ executablePath: CHROMIUM, args: ARGS }).then(async (b) => [b.version(), await b.close()]))[0]
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
    console.log(`Editor benchmark — ${os.type()} ${os.release()}, ${cpu} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Chromium ${version} (headless, --disable-gpu: software rendering)`)
    console.log(`viewport ${VIEWPORT.width}×${VIEWPORT.height}, 4000×3000 JPEG, 10 classes, median of ${RUNS} runs, fresh profile each\n`)
    const results = []
    for (const n of COUNTS) {
      const runs = []
      for (let r = 0; r < RUNS; r++) {
        process.stderr.write(`  N=${n} run ${r + 1}/${RUNS}…\n`)
        runs.push(await runOnce(base, creds, creds.images[String(n)], n))
      }
      const pick = (k) => median(runs.map((x) => median(x.latency[k])))
      const worst = (k) => Math.max(...runs.flatMap((x) => x.latency[k]).filter(Number.isFinite))
      const row = {
        boxes: n,
        loadMs: median(runs.map((x) => x.load)),
        fps: median(runs.map((x) => x.fps)),
        worstFrameMs: median(runs.map((x) => x.worstFrameMs)),
        selectMs: pick('select'),
        selectWorstMs: n > 0 ? worst('select') : NaN,
        moveMs: pick('move'),
        resizeMs: pick('resize'),
        createMs: pick('create'),
        createWorstMs: worst('create'),
        heapMB: median(runs.map((x) => x.heap)),
        runs,
      }
      results.push(row)
      const f = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '—')
      console.log(
        `N=${String(n).padStart(5)}  load ${f(row.loadMs)} ms  fps ${f(row.fps, 1)} (worst frame ${f(row.worstFrameMs, 1)} ms)  ` +
          `select ${f(row.selectMs, 1)} ms (worst ${f(row.selectWorstMs, 1)})  move ${f(row.moveMs, 1)} ms  resize ${f(row.resizeMs, 1)} ms  ` +
          `create ${f(row.createMs, 1)} ms  heap ${f(row.heapMB, 1)} MB`,
      )
    }
    const outDir = path.join(ROOT, 'bench', 'out')
    fs.mkdirSync(outDir, { recursive: true })
    fs.writeFileSync(path.join(outDir, 'editor-bench.json'), JSON.stringify({ chromium: version, results }, null, 2))
    console.log(`\nraw runs: bench/out/editor-bench.json`)
  } catch (error) {
    console.error(serverLog)
    throw error
  } finally {
    process.kill(-server.pid, 'SIGTERM')
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
