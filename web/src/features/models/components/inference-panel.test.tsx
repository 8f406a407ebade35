import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, fireEvent, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { InferenceResult, TrainedModel } from '@/lib/api'
import { InferencePanel } from './inference-panel'

configure({ asyncUtilTimeout: 5000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const MODEL = { id: 4, name: 'nano', dataset_id: 1 } as TrainedModel

const RESULT: InferenceResult = {
  width: 200,
  height: 100,
  seconds: 0.12,
  boxes: [
    { x1: 10, y1: 10, x2: 50, y2: 50, class_index: 0, class_id: 5, label: 'cola', score: 0.92 },
    { x1: 60, y1: 10, x2: 90, y2: 50, class_index: 1, class_id: 6, label: 'fanta', score: 0.41 },
    { x1: 100, y1: 10, x2: 150, y2: 80, class_index: 0, class_id: 5, label: 'cola', score: 0.08 },
  ],
}

afterEach(() => vi.unstubAllGlobals())

describe('InferencePanel', () => {
  it('runs on a library image once, then the slider filters the boxes without asking the server again', async () => {
    const posts: unknown[] = []
    const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
      if (init.method === 'POST') {
        posts.push(JSON.parse(String(init.body)))
        return json(RESULT)
      }
      if (url.includes('/od/images')) return json({ items: [{ id: 77, filename: 'shelf.jpg', thumbnail_url: '/t/77' }], next_cursor: null, total: 1 })
      return json({ error: 'NotFound', detail: url }, 404)
    })
    vi.stubGlobal('fetch', fetchMock)
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <MemoryRouter>
          <InferencePanel model={MODEL} />
        </MemoryRouter>
      </QueryClientProvider>,
    )
    const user = userEvent.setup()
    expect(screen.getByTestId('run-inference')).toBeDisabled()
    await user.click(screen.getByTestId('pick-library-image'))
    await user.click(await screen.findByRole('button', { name: 'shelf.jpg' }))
    expect(fetchMock.mock.calls.some(([u]) => String(u).includes('dataset_id=1'))).toBe(true)
    await user.click(screen.getByTestId('run-inference'))
    expect(await screen.findAllByTestId('inference-box')).toHaveLength(2)
    expect(posts).toEqual([{ image_id: 77, threshold: 0.05 }])
    expect(screen.getByTestId('inference-counts')).toHaveTextContent('2 shown · 1 below the threshold')
    const first = screen.getAllByTestId('inference-box')[0]
    expect(first).toHaveStyle({ left: '5%', top: '10%', width: '20%', height: '40%' })

    fireEvent.change(screen.getByTestId('inference-threshold'), { target: { value: '0.05' } })
    expect(screen.getAllByTestId('inference-box')).toHaveLength(3)
    fireEvent.change(screen.getByTestId('inference-threshold'), { target: { value: '0.95' } })
    expect(screen.queryAllByTestId('inference-box')).toHaveLength(0)
    expect(screen.getByTestId('inference-counts')).toHaveTextContent('0 shown · 3 below the threshold')
    expect(posts).toHaveLength(1)
  })
})
