import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { configure, render, screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LoginPage } from './LoginPage'
import { SetupPage } from './SetupPage'

// Loaded CI machines: give dialogs and queries time to settle.
configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function renderAt(path: string, element: ReactNode, answer: (url: string) => Response) {
  vi.stubGlobal('fetch', vi.fn(async (url: string) => answer(url)))
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={[path]}>{element}</MemoryRouter>
    </QueryClientProvider>,
  )
}

afterEach(() => vi.unstubAllGlobals())

describe('LoginPage', () => {
  it('points a fresh install to the setup link that shelfscope serve printed', async () => {
    renderAt('/login', <LoginPage />, () => json({ setup_required: true }))
    const note = await screen.findByTestId('fresh-install')
    expect(note).toHaveTextContent('This is a fresh install')
    expect(note).toHaveTextContent('Open the one-time setup link printed by shelfscope serve in the terminal')
    expect(note.textContent).not.toContain('`')
  })

  it('says nothing about setup once accounts exist', async () => {
    const fetchMock = vi.fn(async () => json({ setup_required: false }))
    vi.stubGlobal('fetch', fetchMock)
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>
          <LoginPage />
        </MemoryRouter>
      </QueryClientProvider>,
    )
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalled())
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument()
    expect(screen.queryByTestId('fresh-install')).not.toBeInTheDocument()
  })
})

describe('SetupPage', () => {
  it('explains a used link with the command as code, not literal backticks', async () => {
    renderAt('/setup?token=used-token-123', <SetupPage />, () =>
      json({ error: 'NotFound', detail: 'This setup link is invalid, expired or already used.' }, 404),
    )
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This link cannot be used')
    expect(alert.textContent).not.toContain('`')
    expect(alert.querySelector('code')).toHaveTextContent('shelfscope users link NAME')
  })
})
