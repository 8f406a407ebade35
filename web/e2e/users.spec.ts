import type { Browser, Locator, Page } from '@playwright/test'
import { AUTH_STATE } from './harness'
import { shot } from './helpers'
import { expect, test } from './fixtures'

test.use({ storageState: AUTH_STATE })
test.describe.configure({ mode: 'serial' })

const ANNOTATOR = 'e2e-annie'
const INVITED = 'e2e-bob'
const LEAVER = 'e2e-leaver'
const FIRST_PASSWORD = 'annies-first-password'
const NEW_PASSWORD = 'annies-second-password'

function row(page: Page, username: string): Locator {
  return page.locator(`[data-testid="user-row"][data-username="${username}"]`)
}

async function invite(page: Page, username: string, role: 'Admin' | 'Annotator' | 'Viewer'): Promise<string> {
  await page.getByRole('button', { name: 'Invite user' }).click()
  const dialog = page.getByTestId('invite-dialog')
  await dialog.getByLabel('Username').fill(username)
  await dialog.getByLabel('Display name').fill(username.replace('e2e-', '').replace(/^./, (c) => c.toUpperCase()))
  await dialog.getByRole('combobox', { name: 'Role' }).click()
  await page.getByRole('option', { name: role }).click()
  await dialog.getByRole('button', { name: 'Create invite link' }).click()
  const link = (await dialog.getByTestId('setup-link-url').textContent()) ?? ''
  expect(link).toMatch(/\/setup\?token=/)
  return link
}

/** Open a setup link in a fresh, signed-out browser context and choose a password there. */
async function acceptInvite(browser: Browser, baseURL: string, link: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } })
  const page = await context.newPage()
  await page.goto(new URL(link).pathname + new URL(link).search)
  await expect(page.getByRole('heading', { name: 'Set your password' })).toBeVisible()
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByLabel('Confirm password').fill(password)
  await page.getByRole('button', { name: 'Set password and sign in' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible()
  return page
}

async function chooseRole(page: Page, username: string, role: string): Promise<void> {
  await row(page, username).getByRole('combobox', { name: `Role of ${username}` }).click()
  await page.getByRole('option', { name: role }).click()
}

test('an admin invites an annotator, who sets a password through the link and sees no Admin area', async ({
  page,
  browser,
  harness,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto('/od')
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }).click()
  await expect(page).toHaveURL(/\/admin\/users$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible()
  await expect(row(page, 'admin').getByText('You')).toBeVisible()

  const link = await invite(page, ANNOTATOR, 'Annotator')
  await page.getByTestId('invite-dialog').getByRole('button', { name: 'Done' }).click()
  await expect(row(page, ANNOTATOR).getByTestId('user-status')).toHaveText('Invited')

  const annie = await acceptInvite(browser, harness.baseURL, link, FIRST_PASSWORD)
  await expect(annie.getByRole('navigation', { name: 'Admin' })).toHaveCount(0)
  await annie.goto('/admin/users')
  await expect(annie.getByText('Only admins manage users')).toBeVisible()
  await annie.context().close()

  await page.reload()
  await expect(row(page, ANNOTATOR).getByTestId('user-status')).toHaveText('Active')
  expect(pageErrors).toEqual([])
})

test('a role change applies at once; the last admin cannot demote themselves', async ({ page }) => {
  await page.goto('/admin/users')
  await chooseRole(page, ANNOTATOR, 'Viewer')
  await expect(page.getByText(`${ANNOTATOR} is now a viewer`)).toBeVisible()
  await expect(row(page, ANNOTATOR).getByRole('combobox', { name: `Role of ${ANNOTATOR}` })).toHaveText('Viewer')

  await chooseRole(page, 'admin', 'Annotator')
  await expect(page.getByText('This is the last active admin; make another user an admin first.')).toBeVisible()
  await expect(row(page, 'admin').getByRole('combobox', { name: 'Role of admin' })).toHaveText('Admin')
  await page.reload()
  await expect(row(page, 'admin').getByRole('combobox', { name: 'Role of admin' })).toHaveText('Admin')

  await chooseRole(page, ANNOTATOR, 'Annotator')
  await expect(page.getByText(`${ANNOTATOR} is now an annotator`)).toBeVisible()
})

test('deactivating signs the person out at once; reactivating lets them back in', async ({
  page,
  browser,
  harness,
}) => {
  await page.goto('/admin/users')
  const link = await invite(page, LEAVER, 'Viewer')
  await page.getByTestId('invite-dialog').getByRole('button', { name: 'Done' }).click()
  const leaver = await acceptInvite(browser, harness.baseURL, link, FIRST_PASSWORD)

  await row(page, LEAVER).getByRole('button', { name: `Actions for ${LEAVER}` }).click()
  await page.getByRole('menuitem', { name: /Deactivate/ }).click()
  await expect(page.getByRole('alertdialog')).toContainText('signed out everywhere')
  await page.getByRole('button', { name: 'Deactivate', exact: true }).click()
  await expect(page.getByText(`Deactivated ${LEAVER}`)).toBeVisible()
  await expect(row(page, LEAVER).getByTestId('user-status')).toHaveText('Deactivated')

  // The open session of the deactivated person stops working on its next request.
  await leaver.goto('/jobs')
  await expect(leaver).toHaveURL(/\/login/)
  await leaver.getByLabel('Username').fill(LEAVER)
  await leaver.getByLabel('Password').fill(FIRST_PASSWORD)
  await leaver.getByRole('button', { name: 'Sign in' }).click()
  await expect(leaver.getByRole('alert').filter({ hasText: 'Wrong username or password' })).toBeVisible()

  // You cannot deactivate yourself from here.
  await row(page, 'admin').getByRole('button', { name: 'Actions for admin' }).click()
  await expect(page.getByRole('menuitem', { name: /Deactivate/ })).toBeDisabled()
  await page.keyboard.press('Escape')

  await row(page, LEAVER).getByRole('button', { name: `Actions for ${LEAVER}` }).click()
  await page.getByRole('menuitem', { name: 'Reactivate' }).click()
  await expect(row(page, LEAVER).getByTestId('user-status')).toHaveText('Active')
  await leaver.getByRole('button', { name: 'Sign in' }).click()
  await expect(leaver.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible()
  await leaver.context().close()
})

test('a reset link and Change password in the user menu', async ({ page, browser, harness }) => {
  await page.goto('/admin/users')
  await row(page, ANNOTATOR).getByRole('button', { name: `Actions for ${ANNOTATOR}` }).click()
  await page.getByRole('menuitem', { name: 'Password reset link…' }).click()
  const dialog = page.getByTestId('setup-link-dialog')
  await expect(dialog).toContainText('current password keeps working until')
  await dialog.getByRole('button', { name: 'Create link' }).click()
  const link = (await dialog.getByTestId('setup-link-url').textContent()) ?? ''
  await dialog.getByRole('button', { name: 'Done' }).click()

  const annie = await acceptInvite(browser, harness.baseURL, link, NEW_PASSWORD)
  await annie.getByRole('button', { name: 'User menu' }).click()
  await annie.getByRole('menuitem', { name: 'Change password' }).click()
  const change = annie.getByTestId('change-password-dialog')
  await change.getByLabel('Current password').fill('not-my-password')
  await change.getByLabel('New password', { exact: true }).fill('annies-third-password')
  await change.getByLabel('Confirm new password').fill('annies-third-password')
  await change.getByRole('button', { name: 'Change password' }).click()
  await expect(change.getByText('That is not your current password.')).toBeVisible()
  await shot(annie, 'change-password')

  await change.getByLabel('Current password').fill(NEW_PASSWORD)
  await change.getByRole('button', { name: 'Change password' }).click()
  await expect(annie.getByText('Password changed')).toBeVisible()
  await expect(change).toHaveCount(0)
  const login = await annie.request.post('/api/v1/auth/login', {
    data: { username: ANNOTATOR, password: 'annies-third-password' },
  })
  expect(login.status()).toBe(200)
  await annie.context().close()
})

test('the users page with every state, for the screenshot', async ({ page }) => {
  await page.goto('/admin/users')
  await invite(page, INVITED, 'Viewer')
  await shot(page, 'users-invite')
  await page.getByTestId('invite-dialog').getByRole('button', { name: 'Done' }).click()
  await row(page, LEAVER).getByRole('button', { name: `Actions for ${LEAVER}` }).click()
  await page.getByRole('menuitem', { name: /Deactivate/ }).click()
  await page.getByRole('button', { name: 'Deactivate', exact: true }).click()
  await expect(row(page, LEAVER).getByTestId('user-status')).toHaveText('Deactivated')
  await expect(row(page, INVITED).getByTestId('user-status')).toHaveText('Invited')
  await expect(page.getByTestId('users-summary')).toHaveText('2 active · 1 invited · 1 deactivated.')
  // Let the toasts fade so the screenshot shows the page itself.
  await expect(page.locator('[data-sonner-toast]')).toHaveCount(0, { timeout: 15_000 })
  await shot(page, 'users')
})
