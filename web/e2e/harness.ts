/** Where the e2e server lives: written by globalSetup, read by tests and globalTeardown. */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_ROOT = path.resolve(WEB_DIR, '..')
export const SCREENSHOT_DIR = path.join(WEB_DIR, 'e2e', 'screenshots')
export const AUTH_STATE = path.join(WEB_DIR, 'e2e', '.auth', 'admin.json')
/** Pointer to the state file of the running harness (the temp dir is unknown in advance). */
export const STATE_POINTER = path.join(WEB_DIR, 'e2e', '.auth', 'server.json')

export const ADMIN = { username: 'admin', password: 'shelf-e2e-password' } as const

export interface HarnessState {
  baseURL: string
  /** Absolute first-run link, rewritten onto baseURL. */
  setupLink: string
  dataDir: string
  tmpDir: string
  pid: number
  seededImages: number
}

export function writeState(state: HarnessState): void {
  fs.mkdirSync(path.dirname(STATE_POINTER), { recursive: true })
  const file = path.join(state.tmpDir, 'e2e-state.json')
  fs.writeFileSync(file, JSON.stringify(state, null, 2))
  fs.writeFileSync(STATE_POINTER, JSON.stringify({ file }, null, 2))
}

export function readState(): HarnessState {
  const fromEnv = process.env.SHELFSCOPE_E2E_STATE
  const file = fromEnv ?? (JSON.parse(fs.readFileSync(STATE_POINTER, 'utf8')) as { file: string }).file
  return JSON.parse(fs.readFileSync(file, 'utf8')) as HarnessState
}
