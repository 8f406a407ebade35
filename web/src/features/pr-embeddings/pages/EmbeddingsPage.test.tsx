import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ExtractRequest } from '@/lib/api'
import { collection, embedModel } from '@/test/matching'
import { stubBrowser } from '@/test/pr-training'
import { EmbeddingsPage } from './EmbeddingsPage'

configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const MODELS = [
  embedModel({ kind: 'trained', trained_model_id: 4, name: 'Dairy embedder', dim: 128, collection_id: 1 }),
  embedModel({ backbone: 'dinov2-base', name: 'DINOv2 base', dim: 768, installed: false }),
  embedModel(),
]

const JOB = { id: 41, kind: 'pr.embeddings.extract', status: 'running', progress: 0.5, stage: 'Embedding', payload: {}, result: null, error: null, attempt: 1, cancel_requested: false, runner: 'thread', queue: 'ml', created_at: '', started_at: '', finished_at: null, heartbeat_at: null, created_by: 1 }

type Handler = (url: string, init: RequestInit) => Response | undefined

function serve(handler: Handler = () => undefined) {
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const answer = handler(url, { method: 'GET', ...init })
    if (answer) return answer
    if (url.endsWith('/auth/me')) return json({ user: { id: 1, username: 'ann', display_name: 'Ann', role: 'admin' }, csrf_token: 't' })
    if (url.endsWith('/pr/embeddings/models')) return json({ items: MODELS })
    if (url.endsWith('/pr/embeddings/collections')) return json({ items: [collection(1, { model_name: 'Dairy embedder' })] })
    if (url.endsWith('/pr/embeddings/extract')) return json({ job: JOB, collection: collection(1) }, 202)
    if (url.endsWith('/pr/embeddings/collections/1') && init.method === 'DELETE') return json(null, 204)
    if (url.includes('/jobs/41')) return json(JOB)
    return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  vi.stubGlobal('EventSource', undefined)
  stubBrowser()
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={['/embeddings']}>
        <EmbeddingsPage />
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return fetchMock
}

function sent(fetchMock: ReturnType<typeof serve>, method: string, path: RegExp): { url: string; body: unknown }[] {
  return fetchMock.mock.calls
    .filter(([u, i]) => path.test(String(u)) && i?.method === method)
    .map(([u, i]) => ({ url: String(u), body: i?.body ? (JSON.parse(String(i.body)) as unknown) : null }))
}

afterEach(() => vi.unstubAllGlobals())

describe('EmbeddingsPage', () => {
  it('lists registered models before stock backbones; one not installed is disabled with the reason', async () => {
    serve()
    const user = userEvent.setup()
    const trigger = await screen.findByTestId('extract-model')
    await waitFor(() => expect(trigger).toHaveTextContent('Dairy embedder'))
    await user.click(trigger)
    const options = await screen.findAllByRole('option')
    expect(options.map((o) => o.getAttribute('data-testid'))).toEqual(['model-option-trained:4', 'model-option-stock:dinov2-base', 'model-option-stock:dinov2-small'])
    expect(options[1]).toHaveAttribute('aria-disabled', 'true')
    expect(options[1]).toHaveTextContent('shelfscope models fetch dinov2-base')
  })

  it('sends the chosen model, sources and domains, then follows the job with a cancel', async () => {
    const fetchMock = serve()
    const user = userEvent.setup()
    await waitFor(() => expect(screen.getByTestId('extract-model')).toHaveTextContent('Dairy embedder'))
    await user.click(screen.getByTestId('source-cutouts'))
    await user.click(screen.getByTestId('domain-real'))
    await user.click(screen.getByTestId('start-extract'))
    await waitFor(() =>
      expect(sent(fetchMock, 'POST', /extract$/).map((s) => s.body as ExtractRequest)).toEqual([
        { model: { kind: 'trained', trained_model_id: 4 }, collection: null, sources: ['product_images'], domains: ['real'], batch_size: 32 },
      ]),
    )
    const job = await screen.findByTestId('extract-job')
    expect(job).toHaveAttribute('data-status', 'running')
    expect(within(job).getByTestId('cancel-extract')).toBeVisible()
  })

  it('shows a size mismatch at the collection field with both sizes, and nothing starts', async () => {
    const fetchMock = serve((url) =>
      url.endsWith('/extract')
        ? json({ error: 'ValidationFailed', detail: "collection: 'shelf' holds vectors of size 128; this model embeds to size 384.", field: 'collection', collection_dim: 128, model_dim: 384 }, 422)
        : undefined,
    )
    const user = userEvent.setup()
    await waitFor(() => expect(screen.getByTestId('extract-model')).toHaveTextContent('Dairy embedder'))
    await user.type(screen.getByTestId('extract-collection'), 'shelf')
    await user.click(screen.getByTestId('start-extract'))
    expect(await screen.findByTestId('error-collection')).toHaveTextContent("'shelf' holds vectors of size 128; this model embeds to size 384.")
    expect(screen.queryByTestId('extract-job')).toBeNull()
    expect(sent(fetchMock, 'POST', /extract$/)).toHaveLength(1)
  })

  it('checks the form before sending: no source, nothing posted', async () => {
    const fetchMock = serve()
    const user = userEvent.setup()
    await waitFor(() => expect(screen.getByTestId('extract-model')).toHaveTextContent('Dairy embedder'))
    await user.click(screen.getByTestId('source-cutouts'))
    await user.click(screen.getByTestId('source-product_images'))
    await user.click(screen.getByTestId('start-extract'))
    expect(await screen.findByTestId('error-sources')).toBeVisible()
    expect(sent(fetchMock, 'POST', /extract$/)).toEqual([])
  })

  it("follows a collection's running extraction after a reload: progress and cancel in its row", async () => {
    serve((url) => (url.endsWith('/jobs/40') ? json({ ...JOB, id: 40 }) : undefined))
    const row = await screen.findByTestId('collection-row')
    const job = await within(row).findByTestId('collection-job')
    expect(job).toHaveAttribute('data-status', 'running')
    expect(within(row).getByTestId('cancel-collection-job')).toBeVisible()
    expect(within(row).getByRole('progressbar')).toBeInTheDocument()
  })

  it('shows each collection with its stats, and deletes one only after the confirm', async () => {
    const fetchMock = serve()
    const user = userEvent.setup()
    const row = await screen.findByTestId('collection-row')
    expect(row).toHaveTextContent('model-1')
    expect(row).toHaveTextContent('Dairy embedder')
    expect(within(row).getByTestId('collection-vectors')).toHaveTextContent('130')
    expect(within(row).getByTestId('collection-kinds')).toHaveTextContent('120 product images · 10 cutouts')
    expect(within(row).getByTestId('domain-badge-real')).toHaveAttribute('data-count', '110')
    await user.click(within(row).getByTestId('delete-collection'))
    const dialog = await screen.findByTestId('delete-collection-dialog')
    expect(sent(fetchMock, 'DELETE', /collections\/1$/)).toEqual([])
    await user.click(within(dialog).getByTestId('confirm-delete-collection'))
    await waitFor(() => expect(sent(fetchMock, 'DELETE', /collections\/1$/)).toHaveLength(1))
  })
})
