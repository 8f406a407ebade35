import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { makeJob } from '@/test/jobs'
import { prModel, stubBrowser } from '@/test/pr-training'
import { PrModelsComparePage } from './PrModelsComparePage'
import { PrModelsPage } from './PrModelsPage'

configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const VISUAL = {
  models: [
    { id: 2, name: 'Model 2', metrics: null },
    { id: 3, name: 'Model 3', metrics: null },
  ],
  metric_names: ['recall_at_1'],
  queries: [
    {
      image_id: 50,
      product_id: 1,
      results: {
        '2': [{ image_id: 51, product_id: 1, score: 0.9 }, { image_id: 60, product_id: 2, score: 0.8 }],
        '3': [{ image_id: 60, product_id: 2, score: 0.7 }],
      },
    },
  ],
}

function serve(path: string) {
  let jobPolls = 0
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    if (url.endsWith('/auth/me')) return json({ user: { id: 1, username: 'ann', display_name: 'Ann', role: 'admin' }, csrf_token: 't' })
    if (url.includes('/pr/models/compare?')) {
      return json({
        models: [{ id: 2, name: 'Model 2', backbone: 'dinov2-small' }, { id: 3, name: 'Model 3', backbone: 'dinov2-base' }],
        rows: [
          { metric: 'recall_at_1', values: { '2': 0.7, '3': 0.8 }, best: 3 },
          { metric: 'map_at_r', values: { '2': 0.6, '3': 0.5 }, best: 2 },
        ],
      })
    }
    if (init.method === 'POST' && url.endsWith('/pr/models/compare')) return json({ job: makeJob({ id: 70, kind: 'pr.models.compare' }) }, 202)
    if (url.endsWith('/jobs/70')) {
      jobPolls += 1
      return json(makeJob({ id: 70, kind: 'pr.models.compare', status: jobPolls > 1 ? 'succeeded' : 'running', result: jobPolls > 1 ? VISUAL : null }))
    }
    if (url.endsWith('/pr/models')) return json({ items: [prModel(2), prModel(3, { status: 'evaluating', test_metrics: null }), prModel(4)] })
    return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  stubBrowser()
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/models" element={<PrModelsPage />} />
          <Route path="/models/compare" element={<PrModelsComparePage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return fetchMock
}

afterEach(() => vi.unstubAllGlobals())

describe('embedding models', () => {
  it('lists models with their status and opens a comparison of the ticked ones', async () => {
    serve('/models')
    const rows = await screen.findAllByTestId('pr-model-row')
    expect(rows.map((r) => within(r).getByTestId('model-status').getAttribute('data-status'))).toEqual(['ready', 'evaluating', 'ready'])
    expect(rows[0]).toHaveTextContent('70.0%')
    const user = userEvent.setup()
    expect(screen.getByTestId('compare-pr-models')).toBeDisabled()
    await user.click(within(rows[0]!).getByTestId('pick-model'))
    await user.click(within(rows[2]!).getByTestId('pick-model'))
    await user.click(screen.getByRole('link', { name: /Compare 2/ }))
    expect(await screen.findByTestId('pr-compare-table')).toBeInTheDocument()
  })

  it('aligns the metrics with the best of each row marked, and shows the same queries through each model', async () => {
    const fetchMock = serve('/models/compare?ids=2,3')
    const table = await screen.findByTestId('pr-compare-table')
    const r1 = within(table).getByTestId('pr-compare-recall_at_1')
    expect([...r1.querySelectorAll('td')].map((td) => [td.textContent, td.getAttribute('data-best')])).toEqual([
      ['Recall@1', null],
      ['70.0%', null],
      ['80.0%', 'true'],
    ])
    expect(within(table).getByTestId('pr-compare-map_at_r').querySelector('[data-best]')).toHaveTextContent('60.0%')
    expect(screen.getByTestId('pr-compare-chart')).toBeInTheDocument()
    await userEvent.setup().click(screen.getByTestId('start-visual-compare'))
    const grid = await screen.findByTestId('visual-compare-grid', undefined, { timeout: 8000 })
    const strips = within(grid).getAllByTestId('neighbour-strip')
    expect(strips.map((s) => [...s.querySelectorAll('[data-testid="strip-neighbour"]')].map((n) => n.getAttribute('data-tone')))).toEqual([['hit', 'miss'], ['miss']])
    const post = fetchMock.mock.calls.find(([u, i]) => String(u).endsWith('/pr/models/compare') && i?.method === 'POST')
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({ model_ids: [2, 3], queries: 8 })
  })
})
