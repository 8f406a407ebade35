import { test as base } from '@playwright/test'
import { readState, type HarnessState } from './harness'

/** Tests get the harness state and a baseURL pointing at the server globalSetup started. */
export const test = base.extend<{ harness: HarnessState }>({
  harness: async ({}, use) => {
    await use(readState())
  },
  baseURL: async ({}, use) => {
    await use(readState().baseURL)
  },
})

export { expect } from '@playwright/test'
