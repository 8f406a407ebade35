import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PrRunCreate } from '@/lib/api'
import { prBackbone, prRun, stubBrowser } from '@/test/pr-training'
import { PrRunsPage } from './PrRunsPage'

configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

type Handler = (url: string, init: RequestInit) => Response | undefined

const BACKBONES = [prBackbone('dinov2-small', { installed: true }), prBackbone('dinov2-base', { size_mb: 346 }), prBackbone('dinov3-small', { gated: true })]

function serve(handler: Handler = () => undefined) {
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const answer = handler(url, { method: 'GET', ...init })
    if (answer) return answer
    if (url.endsWith('/auth/me')) return json({ user: { id: 1, username: 'ann', display_name: 'Ann', role: 'admin' }, csrf_token: 't' })
    if (url.endsWith('/pr/training/backbones')) return json(BACKBONES)
    if (url.includes('/pr/training?')) return json({ items: [prRun({ id: 5 }), prRun({ id: 6, name: 'Live run', status: 'running', current_epoch: 1, current_batch: 2, total_batches: 3, progress: 0.4, best_metrics: null })], next_cursor: null, total: 2 })
    if (url.includes('/pr/datasets')) return json({ items: [{ id: 4, name: 'Dairy set', product_count: 12 }], next_cursor: null, total: 1 })
    return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  stubBrowser()
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={['/training']}>
        <Routes>
          <Route path="/training" element={<PrRunsPage />} />
          <Route path="/training/:id" element={<p>run page</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return fetchMock
}

function posts(fetchMock: ReturnType<typeof serve>): PrRunCreate[] {
  return fetchMock.mock.calls.filter(([u, i]) => String(u).endsWith('/pr/training') && i?.method === 'POST').map(([, i]) => JSON.parse(String(i?.body)) as PrRunCreate)
}

afterEach(() => vi.unstubAllGlobals())

async function openDialog(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('new-pr-run'))
  return screen.findByTestId('create-pr-run-dialog')
}

describe('PrRunsPage', () => {
  it('lists runs with their status, progress and best Recall@1', async () => {
    serve()
    const rows = await screen.findAllByTestId('pr-run-row')
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['succeeded', 'running'])
    expect(within(rows[0]!).getByTestId('pr-run-best-r1')).toHaveTextContent('75.0%')
    expect(within(rows[0]!).getByTestId('job-status')).toHaveTextContent('Succeeded')
    expect(within(rows[1]!).getByTestId('pr-run-epoch')).toHaveTextContent('Epoch 1 / 2 · batch 2 / 3')
    expect(within(rows[1]!).getByTestId('pr-run-best-r1')).toHaveTextContent('—')
    expect(screen.getByTestId('pr-runs-count')).toHaveTextContent('Showing 2 of 2 runs')
  })

  it('checks the form before sending: nothing is posted while a field is wrong', async () => {
    const fetchMock = serve()
    const user = userEvent.setup()
    const dialog = await openDialog(user)
    expect(await within(dialog).findByTestId('backbone-dinov2-small')).toHaveAttribute('aria-checked', 'true')
    await user.click(within(dialog).getByTestId('backbone-dinov3-small'))
    expect(within(dialog).getByTestId('backbone-note')).toHaveTextContent('SHELFSCOPE_ML_HUB_TOKEN')
    await user.clear(within(dialog).getByTestId('pr-run-split-test'))
    await user.type(within(dialog).getByTestId('pr-run-split-test'), '0.3')
    await user.clear(within(dialog).getByTestId('pr-run-epochs'))
    await user.click(within(dialog).getByTestId('start-pr-run'))
    expect(await within(dialog).findByTestId('error-data.split')).toHaveTextContent('The shares add up to 1.15, not 1.')
    expect(within(dialog).getByTestId('error-config.epochs')).toHaveTextContent('Enter a whole number.')
    expect(within(dialog).queryByTestId('pr-run-advanced')).toBeNull()
    expect(posts(fetchMock)).toEqual([])
  })

  it('shows the too-little-data refusal with its counts, and an advanced field the API names opens Advanced', async () => {
    let answer = json({ error: 'ValidationFailed', detail: 'data: too little to train on: 4 products and 30 images pass the filters', fields: [{ field: 'data', message: 'too few products or images' }], field: 'data', products: 4, images: 30, min_products: 10, min_images: 100 }, 422)
    const fetchMock = serve((url, init) => (init.method === 'POST' && url.endsWith('/pr/training') ? answer : undefined))
    const user = userEvent.setup()
    const dialog = await openDialog(user)
    await user.type(within(dialog).getByTestId('pr-run-name'), 'Dairy')
    await user.click(within(dialog).getByTestId('start-pr-run'))
    const note = await within(dialog).findByTestId('data-shortfall')
    expect(note).toHaveTextContent('too little to train on: 4 products and 30 images')
    expect(note).toHaveTextContent('4 of 10 products and 30 of 100 images needed')
    answer = json({ error: 'ValidationFailed', detail: 'config.triplet_margin: must be below the ArcFace margin', fields: [{ field: 'body.config.triplet_margin', message: 'must be below the ArcFace margin' }] }, 422)
    await user.click(within(dialog).getByTestId('start-pr-run'))
    expect(await within(dialog).findByTestId('error-config.triplet_margin')).toHaveTextContent('must be below the ArcFace margin')
    expect(within(dialog).getByTestId('pr-run-advanced')).toBeInTheDocument()
    expect(within(dialog).queryByTestId('data-shortfall')).toBeNull()
    expect(posts(fetchMock)).toHaveLength(2)
  })

  it('sends a product-dataset run and opens it', async () => {
    const fetchMock = serve((url, init) =>
      init.method === 'POST' && url.endsWith('/pr/training') ? json({ run: prRun({ id: 12, status: 'queued' }), job: { id: 40, kind: 'pr.training.run', status: 'queued', progress: 0 } }, 202) : undefined,
    )
    const user = userEvent.setup()
    const dialog = await openDialog(user)
    await user.type(within(dialog).getByTestId('pr-run-name'), 'Dairy')
    await user.click(within(dialog).getByTestId('pr-run-source'))
    await user.click(await screen.findByRole('option', { name: 'A product dataset' }))
    await user.click(within(dialog).getByTestId('pr-run-dataset'))
    await user.click(await screen.findByRole('option', { name: 'Dairy set · 12 products' }))
    await user.click(within(dialog).getByTestId('pr-run-domain-cutout'))
    await user.clear(within(dialog).getByTestId('pr-run-epochs'))
    await user.type(within(dialog).getByTestId('pr-run-epochs'), '2')
    await user.click(within(dialog).getByTestId('pr-run-loss').querySelector('[aria-checked="false"]')!)
    await user.click(within(dialog).getByTestId('pr-run-advanced-toggle'))
    await user.click(within(dialog).getByTestId('pr-run-mixed_precision'))
    await user.click(within(dialog).getByTestId('start-pr-run'))
    expect(await screen.findByText('run page')).toBeInTheDocument()
    const [body] = posts(fetchMock)
    expect(body).toMatchObject({
      name: 'Dairy',
      backbone: 'dinov2-small',
      pretrained: true,
      data: { source: 'dataset', dataset_id: 4, domains: ['synthetic', 'real', 'augmented'] },
      config: { epochs: 2, loss: 'arcface', mixed_precision: false },
    })
    await waitFor(() => expect(screen.queryByTestId('create-pr-run-dialog')).toBeNull())
  })
})
