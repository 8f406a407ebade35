import fs from 'node:fs'
import { readState } from './harness'

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** Stop the server globalSetup started (its process group, by the pid it recorded) and remove its temp folder. */
export default async function globalTeardown(): Promise<void> {
  let state
  try {
    state = readState()
  } catch {
    return
  }
  if (alive(state.pid)) {
    process.kill(-state.pid, 'SIGTERM')
    const deadline = Date.now() + 10_000
    while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    if (alive(state.pid)) process.kill(-state.pid, 'SIGKILL')
  }
  if (!process.env.SHELFSCOPE_E2E_KEEP) fs.rmSync(state.tmpDir, { recursive: true, force: true })
}
