import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MatchQueueItem } from '@/lib/api'
import { collection, queueItem } from '@/test/matching'
import { stubBrowser } from '@/test/pr-training'
import { MatchingPage } from './MatchingPage'

configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

interface Server {
  queue: MatchQueueItem[]
  role: string
  refuse?: { status: number; body: unknown }
}

function route(server: Server, url: string, init: RequestInit): Response {
  const u = new URL(url, 'http://x')
  const post = init.method === 'POST'
  const decided = /\/pr\/matching\/(\d+)\/(confirm|reject)$/.exec(u.pathname)
  if (decided && post) {
    if (server.refuse) return json(server.refuse.body, server.refuse.status)
    server.queue = server.queue.filter((i) => i.cutout.id !== Number(decided[1]))
    return json({ id: Number(decided[1]), state: decided[2] === 'confirm' ? 'matched' : 'rejected' })
  }
  if (u.pathname.endsWith('/auth/me')) return json({ user: { id: 1, username: 'ann', display_name: 'Ann', role: server.role }, csrf_token: 't' })
  if (u.pathname.endsWith('/pr/embeddings/collections')) return json({ items: [collection(1), collection(2, { name: 'stock-dinov2-small' })] })
  if (u.pathname.endsWith('/pr/matching/summary')) return json({ unmatched: server.queue.length, with_candidates: server.queue.length, matched: 3 - server.queue.length, rejected: 0 })
  if (u.pathname.endsWith('/pr/matching/queue')) return json({ items: server.queue, next_cursor: null, total: server.queue.length })
  const sure = (t: number) => server.queue.filter((i) => (i.candidates[0]?.similarity ?? 0) >= t)
  if (u.pathname.endsWith('/bulk-accept/preview')) {
    const t = Number(u.searchParams.get('threshold'))
    return json({ count: sure(t).length, threshold: t })
  }
  if (u.pathname.endsWith('/pr/matching/bulk-accept') && post) {
    const { threshold } = JSON.parse(String(init.body)) as { threshold: number }
    const accepted = sure(threshold).length
    server.queue = server.queue.filter((i) => !sure(threshold).includes(i))
    return json({ accepted })
  }
  if (u.pathname.endsWith('/pr/matching/images'))
    return json({ items: [{ image_id: 7, filename: 'shelf_1.jpg', width: 1200, height: 520, thumbnail_url: '/thumb/7', cutouts: 3, matched: 1, predicted: 2 }], next_cursor: null, total: 1 })
  if (u.pathname.endsWith('/pr/products'))
    return json({ items: [{ id: 77, sku: 'FOUND-77', name: 'Found product', brand: null, cover_image: null }], next_cursor: null, total: 1 })
  return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
}

function serve(server: Partial<Server> = {}) {
  const state: Server = { queue: [queueItem(1), queueItem(2), queueItem(3)], role: 'annotator', ...server }
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => route(state, url, { method: 'GET', ...init }))
  vi.stubGlobal('fetch', fetchMock)
  stubBrowser()
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={['/matching?collection=1']}>
        <Routes>
          <Route path="/matching" element={<MatchingPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return { state, fetchMock }
}

type FetchMock = ReturnType<typeof serve>['fetchMock']

function posts(fetchMock: FetchMock, path: RegExp): { url: string; body: unknown }[] {
  return fetchMock.mock.calls
    .filter(([u, i]) => path.test(String(u)) && i?.method === 'POST')
    .map(([u, i]) => ({ url: String(u), body: i?.body ? (JSON.parse(String(i.body)) as unknown) : null }))
}

async function focused(): Promise<string | null> {
  return (await screen.findByTestId('cutout-focus')).getAttribute('data-cutout-id')
}

afterEach(() => vi.unstubAllGlobals())

describe('MatchingPage', () => {
  it('shows the crop, its box on the shelf photo and five candidates with packshots and similarity', async () => {
    serve()
    expect(await focused()).toBe('1')
    expect(screen.getByTestId('focus-crop')).toHaveAttribute('src', '/crop/1')
    expect(screen.getByTestId('focus-shelf-box').style.left).toBe(`${(30 / 1200) * 100}%`)
    const candidates = screen.getAllByTestId('candidate')
    expect(candidates.map((c) => c.getAttribute('data-sku'))).toEqual(['SKU-11', 'SKU-12', 'SKU-13', 'SKU-14', 'SKU-15'])
    expect(within(candidates[0]!).getByTestId('candidate-packshot')).toHaveAttribute('src', '/packshot/11')
    expect(within(candidates[0]!).getByTestId('candidate-similarity')).toHaveTextContent('0.940')
    expect(await screen.findByTestId('summary-unmatched')).toHaveTextContent('3')
  })

  it('confirms by number key and rejects by R; each decided cutout leaves and the next slides in', async () => {
    const { fetchMock } = serve()
    const user = userEvent.setup()
    expect(await focused()).toBe('1')
    await user.keyboard('2')
    await waitFor(async () => expect(await focused()).toBe('2'))
    expect(posts(fetchMock, /\/confirm$/)).toEqual([{ url: '/api/v1/pr/matching/1/confirm', body: { product_id: 12, collection_id: 1 } }])
    await user.keyboard('r')
    await waitFor(async () => expect(await focused()).toBe('3'))
    expect(posts(fetchMock, /\/reject$/).map((p) => p.url)).toEqual(['/api/v1/pr/matching/2/reject'])
    await waitFor(() => expect(screen.getByTestId('summary-unmatched')).toHaveTextContent('1'))
  })

  it('moves with the arrows without deciding anything; keys past the candidates do nothing', async () => {
    const { fetchMock } = serve()
    const user = userEvent.setup()
    expect(await focused()).toBe('1')
    await user.keyboard('{ArrowRight}{ArrowDown}{ArrowDown}')
    expect(await focused()).toBe('3')
    await user.keyboard('{ArrowLeft}')
    expect(await focused()).toBe('2')
    await user.keyboard('6')
    expect(posts(fetchMock, /./)).toEqual([])
  })

  it('"/" focuses the product search; typing there picks nothing by key, Enter confirms the product found', async () => {
    const { fetchMock } = serve()
    const user = userEvent.setup()
    expect(await focused()).toBe('1')
    await user.keyboard('/')
    const search = screen.getByTestId('match-product-search')
    expect(search).toHaveFocus()
    await user.keyboard('1r')
    expect(search).toHaveValue('1r')
    await user.clear(search)
    await user.type(search, 'found')
    expect(await screen.findByTestId('product-search-option')).toHaveAttribute('data-sku', 'FOUND-77')
    await user.keyboard('{Enter}')
    await waitFor(() => expect(posts(fetchMock, /\/confirm$/)).toEqual([{ url: '/api/v1/pr/matching/1/confirm', body: { product_id: 77, collection_id: 1 } }]))
    expect(posts(fetchMock, /\/reject$/)).toEqual([])
  })

  it('puts a cutout back when the server refuses, and says why', async () => {
    serve({ refuse: { status: 422, body: { error: 'ValidationFailed', detail: 'unknown product', fields: [{ field: 'product_id', message: 'unknown' }] } } })
    const user = userEvent.setup()
    expect(await focused()).toBe('1')
    await user.keyboard('1')
    await waitFor(async () => expect(await focused()).toBe('1'))
    expect(screen.getAllByTestId('queue-item')).toHaveLength(3)
  })

  it('previews how many a threshold would accept as it changes, and accepts them only after the confirm', async () => {
    const { fetchMock, state } = serve()
    state.queue[0]!.candidates[0]!.similarity = 0.99
    const user = userEvent.setup()
    const input = await screen.findByTestId('bulk-threshold')
    await user.clear(input)
    await user.type(input, '0.95')
    await waitFor(() => expect(screen.getByTestId('bulk-preview')).toHaveTextContent('1 cutout would match'))
    await user.clear(input)
    await user.type(input, '0.9')
    await waitFor(() => expect(screen.getByTestId('bulk-preview')).toHaveTextContent('3 cutouts would match'))
    await user.click(screen.getByTestId('bulk-accept-open'))
    const dialog = await screen.findByTestId('bulk-accept-dialog')
    expect(dialog).toHaveTextContent('Accept 3 cutouts?')
    expect(posts(fetchMock, /bulk-accept$/)).toEqual([])
    await user.click(within(dialog).getByTestId('bulk-accept-confirm'))
    await waitFor(() => expect(posts(fetchMock, /bulk-accept$/)).toEqual([{ url: '/api/v1/pr/matching/bulk-accept', body: { collection_id: 1, threshold: 0.9 } }]))
    expect(await screen.findByText('Nothing left to match')).toBeInTheDocument()
  })

  it('lists the shelf photos on their tab, each linking to its labelled view', async () => {
    serve()
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('tab-photos'))
    const photo = await screen.findByTestId('shelf-photo')
    expect(photo).toHaveAttribute('href', '/matching/images/7?collection=1')
    expect(within(photo).getByTestId('shelf-photo-matched')).toHaveTextContent('1 / 3 matched · 2 predicted')
  })

  it('lets a viewer move through the queue but not decide', async () => {
    const { fetchMock } = serve({ role: 'viewer' })
    const user = userEvent.setup()
    expect(await focused()).toBe('1')
    await waitFor(() => expect(screen.getAllByTestId('candidate')[0]).toBeDisabled())
    await user.keyboard('1r{ArrowRight}')
    expect(await focused()).toBe('2')
    expect(screen.queryByTestId('bulk-accept')).toBeNull()
    expect(posts(fetchMock, /./)).toEqual([])
  })
})
