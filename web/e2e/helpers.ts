/**
 * What every spec shares: JSON calls to the API as the signed-in user (with the CSRF header a write
 * needs) and screenshots into e2e/screenshots/.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { APIRequestContext, Locator, Page } from '@playwright/test'
import { SCREENSHOT_DIR } from './harness'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** The CSRF header from the session's cookie (for `baseURL`'s host when given, else the first one). */
export async function csrfHeaders(request: APIRequestContext, baseURL = ''): Promise<Record<string, string>> {
  const state = await request.storageState()
  const cookie = state.cookies.find((c) => c.name === 'shelfscope_csrf' && (baseURL === '' || baseURL.includes(c.domain)))
  return cookie ? { 'X-CSRF-Token': cookie.value } : {}
}

/** Call the API and return its JSON; a non-2xx answer throws with the status and body. */
export async function apiJson<T>(request: APIRequestContext, method: Method, url: string, data?: unknown, baseURL = ''): Promise<T> {
  const headers = method === 'GET' ? {} : await csrfHeaders(request, baseURL)
  const response = await request.fetch(url, { method, data, headers })
  if (!response.ok()) throw new Error(`${method} ${url} → ${response.status()}: ${await response.text()}`)
  return (await response.json()) as T
}

/** `apiJson` with the page's own session. */
export function api<T>(page: Page, method: Method, url: string, data?: unknown): Promise<T> {
  return apiJson<T>(page.request, method, url, data)
}

/** A screenshot to e2e/screenshots/<name>.png: the whole page, or only the viewport (`fullPage: false`). */
export async function shot(page: Page, name: string, { fullPage = true }: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage })
}

/** A screenshot of one element (a panel, a dialog) to e2e/screenshots/<name>.png. */
export async function shotOf(element: Locator, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await element.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) })
}
