import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ManagedUser } from '../types'
import { UsersPage } from './UsersPage'

// Loaded CI machines: give dialogs and queries time to settle.
configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function user(overrides: Partial<ManagedUser>): ManagedUser {
  return {
    id: 1,
    username: 'admin',
    display_name: 'Admin',
    role: 'admin',
    is_active: true,
    has_password: true,
    last_login_at: '2025-01-01T00:00:00Z',
    created_at: '2025-01-01T00:00:00Z',
    ...overrides,
  }
}

const ADMIN = user({})
const ANNIE = user({ id: 2, username: 'annie', display_name: 'Annie', role: 'annotator', last_login_at: null })
const BOB = user({ id: 3, username: 'bob', display_name: 'bob', role: 'viewer', has_password: false, last_login_at: null })
const OLD = user({ id: 4, username: 'old', display_name: 'Old', role: 'viewer', is_active: false })

type Handler = (url: string, init: RequestInit) => Response | undefined

function serve(me: ManagedUser, handler: Handler = () => undefined) {
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const answer = handler(url, init)
    if (answer) return answer
    if (url.endsWith('/auth/me')) return json({ user: me, csrf_token: 'tok' })
    if (url.endsWith('/auth/users')) return json({ items: [ADMIN, ANNIE, BOB, OLD] })
    return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <UsersPage />
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return fetchMock
}

/** Paste rather than type: typing key by key is slow on a busy machine and proves nothing more here. */
async function put(input: HTMLElement, text: string) {
  await userEvent.clear(input)
  await userEvent.click(input)
  await userEvent.paste(text)
}

function row(username: string): HTMLElement {
  const found = screen.getAllByTestId('user-row').find((r) => r.dataset.username === username)
  if (!found) throw new Error(`no row for ${username}`)
  return found
}

class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

beforeEach(() => {
  vi.stubGlobal('ResizeObserver', NoResizeObserver)
  // Radix Select asks the pointer what it captured; jsdom has no pointer capture.
  Element.prototype.hasPointerCapture ??= () => false
  Element.prototype.scrollIntoView ??= () => {}
})

afterEach(() => vi.unstubAllGlobals())

describe('UsersPage', () => {
  it('lists every user with role, status and who is signed in', async () => {
    serve(ADMIN)
    expect(await screen.findAllByTestId('user-row')).toHaveLength(4)
    expect(within(row('admin')).getByText('You')).toBeInTheDocument()
    expect(within(row('annie')).getByTestId('user-status')).toHaveTextContent('Active')
    expect(within(row('bob')).getByTestId('user-status')).toHaveTextContent('Invited')
    expect(within(row('old')).getByTestId('user-status')).toHaveTextContent('Deactivated')
    expect(within(row('annie')).getByText('Never')).toBeInTheDocument()
    expect(within(row('annie')).getByRole('combobox', { name: 'Role of annie' })).toHaveTextContent('Annotator')
    expect(screen.getByTestId('users-summary')).toHaveTextContent('2 active · 1 invited · 1 deactivated')
  })

  it('filters by name', async () => {
    serve(ADMIN)
    await screen.findAllByTestId('user-row')
    await put(screen.getByLabelText('Search users'), 'ann')
    expect(screen.getAllByTestId('user-row').map((r) => r.dataset.username)).toEqual(['annie'])
    await put(screen.getByLabelText('Search users'), 'zzz')
    expect(screen.getByText('No users match')).toBeInTheDocument()
  })

  it('invites a user and shows the one-time link once', async () => {
    const fetchMock = serve(ADMIN, (url, init) => {
      if (url.endsWith('/auth/users') && init.method === 'POST') {
        return json(
          { user: user({ id: 9, username: 'carol', role: 'viewer', has_password: false }), setup_link: 'http://x/setup?token=abc', expires_at: '2025-01-02T00:00:00Z' },
          201,
        )
      }
      return undefined
    })
    await screen.findAllByTestId('user-row')
    await userEvent.click(screen.getByRole('button', { name: 'Invite user' }))
    const dialog = screen.getByTestId('invite-dialog')
    await put(within(dialog).getByLabelText('Username'), 'carol')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create invite link' }))
    expect(await screen.findByTestId('setup-link-url')).toHaveTextContent('http://x/setup?token=abc')
    const call = fetchMock.mock.calls.find(([, init]) => init?.method === 'POST') as unknown as [string, RequestInit]
    expect(JSON.parse(String(call[1].body))).toEqual({ username: 'carol', display_name: '', role: 'annotator' })
    expect((call[1].headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
  })

  it('refuses a malformed username before asking the server', async () => {
    const fetchMock = serve(ADMIN)
    await screen.findAllByTestId('user-row')
    await userEvent.click(screen.getByRole('button', { name: 'Invite user' }))
    await put(screen.getByLabelText('Username'), 'a b')
    await userEvent.click(screen.getByRole('button', { name: 'Create invite link' }))
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true')
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'POST')).toBe(false)
  })

  it('deactivates after confirmation with a PATCH', async () => {
    let annie = ANNIE
    const fetchMock = serve(ADMIN, (url, init) => {
      if (url.endsWith('/auth/users/2') && init.method === 'PATCH') {
        annie = { ...ANNIE, is_active: false }
        return json(annie)
      }
      return url.endsWith('/auth/users') && init.method === 'GET' ? json({ items: [ADMIN, annie, BOB, OLD] }) : undefined
    })
    await screen.findAllByTestId('user-row')
    await userEvent.click(within(row('annie')).getByRole('button', { name: 'Actions for annie' }))
    await userEvent.click(await screen.findByRole('menuitem', { name: /Deactivate/ }))
    await userEvent.click(await screen.findByRole('button', { name: 'Deactivate' }))
    await waitFor(() => expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'PATCH')).toBe(true))
    const call = fetchMock.mock.calls.find(([, init]) => init?.method === 'PATCH') as unknown as [string, RequestInit]
    expect(JSON.parse(String(call[1].body))).toEqual({ is_active: false })
    // The confirmation stays until the answer arrives, then closes, and the row shows the new state.
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument())
    expect(within(row('annie')).getByTestId('user-status')).toHaveTextContent('Deactivated')
  })

  it('keeps the confirmation open with the reason when deactivation is refused', async () => {
    serve(ADMIN, (url, init) =>
      url.endsWith('/auth/users/2') && init.method === 'PATCH'
        ? json({ error: 'Forbidden', detail: 'Not today.' }, 403)
        : undefined,
    )
    await screen.findAllByTestId('user-row')
    await userEvent.click(within(row('annie')).getByRole('button', { name: 'Actions for annie' }))
    await userEvent.click(await screen.findByRole('menuitem', { name: /Deactivate/ }))
    await userEvent.click(await screen.findByRole('button', { name: 'Deactivate' }))
    await waitFor(() => expect(screen.getByRole('button', { name: 'Deactivate' })).toBeEnabled())
    expect(screen.getByRole('alertdialog')).toBeInTheDocument()
    expect(within(row('annie')).getByTestId('user-status')).toHaveTextContent('Active')
  })

  it('does not offer to deactivate yourself', async () => {
    serve(ADMIN)
    await screen.findAllByTestId('user-row')
    await userEvent.click(within(row('admin')).getByRole('button', { name: 'Actions for admin' }))
    expect(await screen.findByRole('menuitem', { name: /Deactivate/ })).toHaveAttribute('aria-disabled', 'true')
  })

  it('tells a non-admin that only admins manage users, without asking for the list', async () => {
    const fetchMock = serve(ANNIE)
    expect(await screen.findByText('Only admins manage users')).toBeInTheDocument()
    expect(fetchMock.mock.calls.some(([url]) => String(url).endsWith('/auth/users'))).toBe(false)
  })

  it('shows the error with a retry when the list cannot load', async () => {
    serve(ADMIN, (url) => (url.endsWith('/auth/users') ? json({ error: 'Internal', detail: 'Database is down.' }, 500) : undefined))
    expect(await screen.findByText('Database is down.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: /Try again/ })).toBeInTheDocument()
  })
})
