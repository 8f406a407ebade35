import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen, within } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TooltipProvider } from '@/components/ui/tooltip'
import { NAV_GROUPS, visibleNavGroups } from './navigation'
import { Sidebar } from './sidebar'

function renderSidebar(path: string) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return render(
    <QueryClientProvider client={queryClient}>
      <TooltipProvider>
        <MemoryRouter initialEntries={[path]}>
          <Sidebar />
        </MemoryRouter>
      </TooltipProvider>
    </QueryClientProvider>,
  )
}

const HEALTH = {
  status: 'ok',
  version: '0.1.0',
  checks: {
    database: { ok: true, latency_ms: 1 },
    storage: { ok: true, backend: 'local', latency_ms: 1 },
    jobs: { ok: true, runner: 'local', workers: 2 },
  },
}

function signedInAs(role: string) {
  const me = { user: { id: 1, username: 'sam', display_name: 'Sam', role }, csrf_token: 't' }
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) =>
      new Response(JSON.stringify(url.endsWith('/auth/me') ? me : HEALTH), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      }),
    ),
  )
}

beforeEach(() => signedInAs('annotator'))

afterEach(() => vi.unstubAllGlobals())

describe('Sidebar', () => {
  it('renders every group of the plan with its entries in order', () => {
    renderSidebar('/od')
    const pr = screen.getByRole('navigation', { name: 'Product recognition' })
    expect(within(pr).getAllByRole('link').map((a) => a.textContent)).toEqual([
      'Products',
      'Datasets',
      'Training',
      'Models',
      'Embeddings',
      'Cutouts',
      'Matching',
    ])
    const od = screen.getByRole('navigation', { name: 'Object detection' })
    expect(within(od).getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual([
      '/od/images',
      '/od/datasets',
      '/od/annotate',
      '/od/classes',
      '/od/training',
      '/od/models',
    ])
    const main = screen.getByRole('navigation', { name: 'Main' })
    expect(within(main).getByRole('link', { name: 'Dashboard' })).toHaveAttribute('href', '/od')
    const total = NAV_GROUPS.reduce((n, group) => n + group.items.filter((item) => !item.adminOnly).length, 0)
    expect(screen.getAllByRole('link')).toHaveLength(total)
    expect(screen.queryByRole('navigation', { name: 'Admin' })).toBeNull()
  })

  it('keeps admin-only entries and their empty group from everyone else', () => {
    for (const role of ['annotator', 'viewer', undefined]) {
      const groups = visibleNavGroups(role)
      expect(groups.map((g) => g.id)).not.toContain('admin')
      expect(groups.flatMap((g) => g.items).some((item) => item.adminOnly)).toBe(false)
    }
    expect(visibleNavGroups('admin').find((g) => g.id === 'admin')?.items.map((i) => i.to)).toEqual(['/admin/users', '/admin/maintenance'])
  })

  it('lists Users under Admin for an admin', async () => {
    signedInAs('admin')
    renderSidebar('/admin/users')
    const admin = await screen.findByRole('navigation', { name: 'Admin' })
    const users = within(admin).getByRole('link', { name: 'Users' })
    expect(users).toHaveAttribute('href', '/admin/users')
    expect(users).toHaveAttribute('aria-current', 'page')
  })

  it('marks only the current entry active (Dashboard is not active on /od/images)', () => {
    renderSidebar('/od/images')
    const od = screen.getByRole('navigation', { name: 'Object detection' })
    expect(within(od).getByRole('link', { name: 'Images' })).toHaveAttribute('aria-current', 'page')
    expect(screen.getByRole('link', { name: 'Dashboard' })).not.toHaveAttribute('aria-current')
  })

  it('lists Admin → Maintenance (verify storage) for admins only', async () => {
    const session = (role: string) =>
      vi.fn(async (input: RequestInfo | URL) =>
        String(input).includes('/auth/me')
          ? new Response(JSON.stringify({ user: { id: 1, username: 'u', display_name: null, role }, csrf_token: 't' }), {
              status: 200,
              headers: { 'Content-Type': 'application/json' },
            })
          : new Response(
              JSON.stringify({ status: 'ok', version: '0.1.0', checks: { database: { ok: true, latency_ms: 1 }, storage: { ok: true, backend: 'local', latency_ms: 1 }, jobs: { ok: true, runner: 'local', workers: 2 } } }),
              { status: 200, headers: { 'Content-Type': 'application/json' } },
            ),
      )
    vi.stubGlobal('fetch', session('admin'))
    const { unmount } = renderSidebar('/od')
    const admin = await screen.findByRole('navigation', { name: 'Admin' })
    expect(within(admin).getByRole('link', { name: 'Maintenance' })).toHaveAttribute('href', '/admin/maintenance')
    unmount()
    vi.stubGlobal('fetch', session('annotator'))
    renderSidebar('/od')
    await screen.findByRole('navigation', { name: 'Object detection' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(screen.queryByRole('navigation', { name: 'Admin' })).toBeNull()
  })

  it('shows the server health and version', async () => {
    renderSidebar('/od')
    expect(await screen.findByText('v0.1.0')).toBeInTheDocument()
    expect(screen.getByTestId('health')).toHaveTextContent('All systems normal')
  })
})
