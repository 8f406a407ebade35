import fs from 'node:fs'
import path from 'node:path'
import { ADMIN, AUTH_STATE } from './harness'
import { shot } from './helpers'
import { expect, test } from './fixtures'

test.describe.configure({ mode: 'serial' })

test('the login page of a fresh install points to the setup link', async ({ page }) => {
  await page.goto('/login')
  const note = page.getByTestId('fresh-install')
  await expect(note).toContainText('This is a fresh install')
  await expect(note).toContainText('printed by shelfscope serve in the terminal')
  await shot(page, 'login-fresh-install', { fullPage: false })
})

test('the first-run link creates the admin account and lands on the dashboard', async ({ page, harness }) => {
  await page.goto(harness.setupLink)
  await expect(page.getByRole('heading', { name: 'Create the admin account' })).toBeVisible()

  await page.getByLabel('Username').fill(ADMIN.username)
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
  await page.getByLabel('Confirm password').fill(ADMIN.password)
  await page.getByRole('button', { name: /create account/i }).click()

  await expect(page).toHaveURL(/\/od$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible()

  // The link is single-use, and the page says so without literal backticks.
  await page.goto(harness.setupLink)
  await expect(page.getByRole('heading', { name: 'This link cannot be used' })).toBeVisible()
  await expect(page.getByRole('alert')).not.toContainText('`')
  await expect(page.getByRole('alert').locator('code')).toHaveText('shelfscope users link NAME')
  await shot(page, 'setup-link-used', { fullPage: false })
})

test('sign out, a wrong password is refused, the right one signs in', async ({ page, harness }) => {
  await page.goto('/login')
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await expect(page.getByTestId('fresh-install')).toHaveCount(0)
  await page.getByLabel('Username').fill(ADMIN.username)
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible()

  await page.getByRole('button', { name: 'User menu' }).click()
  await expect(page.getByTestId('user-menu-username')).toHaveText(ADMIN.username)
  await page.getByRole('menuitem', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)

  // Signed out for real: a protected page sends us back to the login with next=.
  await page.goto('/jobs')
  await expect(page).toHaveURL(/\/login\?next=%2Fjobs/)

  await page.getByLabel('Username').fill(ADMIN.username)
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong username or password' })).toBeVisible()
  await expect(page).toHaveURL(/\/login/)

  await shot(page, 'login', { fullPage: false })

  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(`${harness.baseURL}/jobs`)
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible()

  fs.mkdirSync(path.dirname(AUTH_STATE), { recursive: true })
  await page.context().storageState({ path: AUTH_STATE })
})
