import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PrTrainingRun } from '@/lib/api'
import { prCheckpoint, prEvaluation, prModel, prRun, stubBrowser } from '@/test/pr-training'
import { PrRunDetailPage } from './PrRunDetailPage'

configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

type Handler = (url: string, init: RequestInit) => Response | undefined

function serve(run: PrTrainingRun, handler: Handler = () => undefined, tab = 'charts') {
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const answer = handler(url, { method: 'GET', ...init })
    if (answer) return answer
    if (url.endsWith('/auth/me')) return json({ user: { id: 1, username: 'ann', display_name: 'Ann', role: 'annotator' }, csrf_token: 't' })
    if (url.endsWith(`/pr/training/${run.id}`)) return json(run)
    if (url.endsWith(`/pr/training/${run.id}/checkpoints`)) return json([prCheckpoint(1), prCheckpoint(2, { is_best: true, model_ids: [7] })])
    if (url.endsWith(`/pr/training/${run.id}/evaluation`)) return json(prEvaluation())
    if (/\/pr\/products\/\d+$/.test(url)) return json({ id: Number(url.split('/').pop()), name: `Milk ${url.split('/').pop()}`, sku: 'sku' })
    return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  stubBrowser()
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={[`/training/${run.id}?tab=${tab}`]}>
        <Routes>
          <Route path="/training/:id" element={<PrRunDetailPage />} />
          <Route path="/models/:id" element={<p>model page</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return fetchMock
}

function calls(fetchMock: ReturnType<typeof serve>, method: string): [string, unknown][] {
  return fetchMock.mock.calls
    .filter(([, i]) => i?.method === method)
    .map(([u, i]) => [String(u), i?.body ? JSON.parse(String(i.body)) : null])
}

afterEach(() => vi.unstubAllGlobals())

describe('PrRunDetailPage', () => {
  it('shows the best figures, the three charts and the frozen data', async () => {
    serve(prRun())
    expect(await screen.findByRole('heading', { level: 1, name: 'Dairy run' })).toBeInTheDocument()
    expect(screen.getByTestId('pr-run-best-recall')).toHaveTextContent('75.0%')
    expect(screen.getByTestId('pr-run-best-epoch')).toHaveTextContent('2')
    for (const chart of ['pr-loss-chart', 'pr-lr-chart', 'pr-retrieval-chart']) expect(screen.getByTestId(chart)).toBeInTheDocument()
    await userEvent.setup().click(screen.getByTestId('tab-data'))
    expect(await screen.findByTestId('data-split-test')).toHaveTextContent('test1121110')
  })

  it('renders the evaluation: overall, every cross-domain direction, categories, hard cases, confused pairs', async () => {
    serve(prRun(), undefined, 'evaluation')
    const report = await screen.findByTestId('evaluation-report')
    expect(within(report).getByTestId('figure-recall_at_1')).toHaveTextContent('75.0%')
    const cross = within(report).getAllByTestId('cross-domain-row')
    expect(cross.map((r) => r.textContent)).toEqual(['RealSynthetic50.0%100.0%100.0%50.0%11', 'SyntheticReal100.0%100.0%100.0%80.0%1'])
    expect(within(report).getAllByTestId('per-category-row')[0]).toHaveTextContent('Milk75.0%')
    const hard = within(report).getByTestId('hard-case')
    expect(hard).toHaveTextContent('first correct at rank 2')
    expect(within(hard).getAllByTestId('strip-neighbour').map((n) => n.getAttribute('data-tone'))).toEqual(['miss', 'hit'])
    expect(within(hard).getByTestId('strip-query').querySelector('img')).toHaveAttribute('src', '/api/v1/pr/images/501/thumbnail')
    expect(await within(report).findByTestId('confused-pair')).toHaveTextContent('Milk 3Milk 42')
  })

  it('says so when there is no evaluation yet', async () => {
    serve(prRun(), (url) => (url.endsWith('/evaluation') ? json({ error: 'NotFound', detail: 'no evaluation' }, 404) : undefined), 'evaluation')
    expect(await screen.findByText('No evaluation yet')).toBeInTheDocument()
  })

  it('offers to force a checkpoint delete the server refused because a model links it', async () => {
    const fetchMock = serve(prRun(), (url, init) => {
      if (init.method !== 'DELETE') return undefined
      return url.includes('force=true') ? new Response(null, { status: 204 }) : json({ error: 'Conflict', detail: 'Registered models use this checkpoint.', model_ids: [7] }, 409)
    }, 'checkpoints')
    const user = userEvent.setup()
    const rows = await screen.findAllByTestId('checkpoint-row')
    expect(rows.map((r) => r.getAttribute('data-best'))).toEqual([null, 'true'])
    await user.click(within(rows[1]!).getByTestId('delete-checkpoint'))
    const dialog = await screen.findByTestId('force-delete-dialog')
    await user.click(within(dialog).getByTestId('force-delete-confirm'))
    expect(await within(dialog).findByTestId('linked-models')).toHaveTextContent('Model #7')
    expect(within(dialog).getByTestId('force-delete-confirm')).toHaveTextContent('Delete anyway')
    await user.click(within(dialog).getByTestId('force-delete-confirm'))
    await waitFor(() => expect(screen.queryByTestId('force-delete-dialog')).toBeNull())
    expect(calls(fetchMock, 'DELETE').map(([u]) => u)).toEqual(['/api/v1/pr/training/5/checkpoints/102', '/api/v1/pr/training/5/checkpoints/102?force=true'])
  })

  it('registers a checkpoint as a model, showing a taken name at the field, then opens the model', async () => {
    let taken = true
    const fetchMock = serve(prRun(), (url, init) => {
      if (init.method !== 'POST' || !url.endsWith('/pr/models')) return undefined
      if (taken) {
        taken = false
        return json({ error: 'Conflict', detail: 'A model called “Dairy run · epoch 1” exists.', field: 'name' }, 409)
      }
      return json(prModel(8), 201)
    }, 'checkpoints')
    const user = userEvent.setup()
    const rows = await screen.findAllByTestId('checkpoint-row')
    await user.click(within(rows[0]!).getByTestId('register-checkpoint'))
    const dialog = await screen.findByTestId('register-model-dialog')
    expect(within(dialog).getByTestId('register-name')).toHaveValue('Dairy run · epoch 1')
    await user.click(within(dialog).getByTestId('register-confirm'))
    expect(await within(dialog).findByTestId('error-name')).toHaveTextContent('exists')
    await user.type(within(dialog).getByTestId('register-name'), ' b')
    await user.click(within(dialog).getByTestId('register-confirm'))
    expect(await screen.findByText('model page')).toBeInTheDocument()
    expect(calls(fetchMock, 'POST').map(([, b]) => b)).toEqual([
      { checkpoint_id: 101, name: 'Dairy run · epoch 1', description: '' },
      { checkpoint_id: 101, name: 'Dairy run · epoch 1 b', description: '' },
    ])
  })

  it('resumes from a checkpoint with the remaining epochs computed', async () => {
    const fetchMock = serve(prRun({ status: 'cancelled', current_epoch: 1, total_epochs: 5 }), (url, init) =>
      init.method === 'POST' && url.endsWith('/resume') ? json({ run: prRun({ status: 'queued' }), job: null, remaining_epochs: 4 }, 202) : undefined,
      'data',
    )
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('resume-pr-run'))
    const dialog = await screen.findByTestId('resume-dialog')
    expect(await within(dialog).findByTestId('resume-remaining')).toHaveTextContent('3 epochs left after epoch 2.')
    await user.type(within(dialog).getByTestId('resume-epochs'), '2')
    expect(within(dialog).getByTestId('error-epochs')).toHaveTextContent("More than the checkpoint's 2 epochs.")
    expect(within(dialog).getByTestId('resume-confirm')).toBeDisabled()
    await user.clear(within(dialog).getByTestId('resume-epochs'))
    await user.click(within(dialog).getByTestId('resume-confirm'))
    await waitFor(() => expect(screen.queryByTestId('resume-dialog')).toBeNull())
    expect(calls(fetchMock, 'POST')).toEqual([['/api/v1/pr/training/5/resume', { checkpoint_id: null, epochs: null }]])
  })

  it('offers cancel, not delete, while the run is live', async () => {
    const fetchMock = serve(prRun({ status: 'running', current_epoch: 1 }), (url, init) =>
      init.method === 'POST' && url.endsWith('/cancel') ? json({ run: prRun({ status: 'running' }) }, 202) : undefined,
      'data',
    )
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('cancel-pr-run'))
    await user.click(await screen.findByTestId('confirm-cancel-pr-run'))
    await waitFor(() => expect(calls(fetchMock, 'POST').map(([u]) => u)).toEqual(['/api/v1/pr/training/5/cancel']))
    expect(screen.queryByTestId('delete-pr-run')).toBeNull()
  })
})
