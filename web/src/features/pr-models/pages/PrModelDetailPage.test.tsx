import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PrModel } from '@/lib/api'
import { prModel, stubBrowser } from '@/test/pr-training'
import { PrModelDetailPage } from './PrModelDetailPage'

configure({ asyncUtilTimeout: 5000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function serve(model: PrModel, role = 'annotator') {
  const patches: unknown[] = []
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    if (url.endsWith('/auth/me')) return json({ user: { id: 1, username: 'ann', display_name: 'Ann', role }, csrf_token: 't' })
    if (init.method === 'PATCH') {
      patches.push(JSON.parse(String(init.body)))
      return patches.length === 1 ? json({ error: 'Conflict', detail: 'A model called “Taken” exists.', field: 'name' }, 409) : json({ ...model, name: 'Renamed' })
    }
    if (url.endsWith(`/pr/models/${model.id}`)) return json(model)
    return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  stubBrowser()
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={[`/models/${model.id}`]}>
        <Routes>
          <Route path="/models/:id" element={<PrModelDetailPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return patches
}

afterEach(() => vi.unstubAllGlobals())

describe('PrModelDetailPage', () => {
  it('shows the test metrics, backbone, embedding size and preprocessing', async () => {
    serve(prModel(2), 'viewer')
    expect(await screen.findByTestId('pr-model-detail')).toHaveAttribute('data-status', 'ready')
    expect(screen.getByRole('heading', { level: 1, name: 'Model 2' })).toBeInTheDocument()
    expect(within(screen.getByTestId('pr-model-metrics')).getByTestId('figure-recall_at_1')).toHaveTextContent('70.0%')
    expect(screen.getByText('128 dimensions')).toBeInTheDocument()
    expect(screen.getByText(/"resize": "pad_square"/)).toBeInTheDocument()
    expect(screen.queryByTestId('edit-pr-model')).toBeNull()
  })

  it('says the metrics are being computed while the model is evaluating', async () => {
    serve(prModel(3, { status: 'evaluating', test_metrics: null }))
    expect(await screen.findByText("Evaluating on the run's test products…")).toBeInTheDocument()
    expect(screen.getByTestId('model-status')).toHaveAttribute('data-status', 'evaluating')
  })

  it('shows a taken name at the field, then saves', async () => {
    const patches = serve(prModel(2))
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('edit-pr-model'))
    const name = await screen.findByTestId('edit-model-name')
    await user.clear(name)
    await user.type(name, 'Taken')
    await user.click(screen.getByTestId('save-pr-model'))
    expect(await screen.findByTestId('error-name')).toHaveTextContent('exists')
    await user.clear(name)
    await user.type(name, 'Renamed')
    await user.click(screen.getByTestId('save-pr-model'))
    await waitFor(() => expect(screen.queryByTestId('edit-model-name')).toBeNull())
    expect(patches).toEqual([
      { name: 'Taken', description: '' },
      { name: 'Renamed', description: '' },
    ])
  })
})
