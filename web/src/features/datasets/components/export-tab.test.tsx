import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ExportRequest } from '@/lib/api'
import { makeJob } from '@/test/jobs'
import { ExportTab } from './export-tab'

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const job = makeJob({ id: 31, kind: 'od.exports.run', attempt: 0 })

class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

beforeEach(() => {
  // jsdom has no ResizeObserver; Radix's checkbox measures itself with one.
  vi.stubGlobal('ResizeObserver', NoResizeObserver)
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function renderTab(fetchMock: ReturnType<typeof vi.fn>) {
  vi.stubGlobal('fetch', fetchMock)
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <ExportTab datasetId={5} />
      </MemoryRouter>
    </QueryClientProvider>,
  )
}

describe('ExportTab', () => {
  it('posts the chosen options as the export body, with a split for the current dataset', async () => {
    const fetchMock = vi.fn(async (url: string) => {
      if (url.includes('/versions')) return json({ items: [], next_cursor: null, total: 0 })
      if (url.includes('/export/')) return json({ job }, 202)
      return json({ ...job, status: 'running' })
    })
    renderTab(fetchMock)
    await userEvent.click(screen.getByLabelText('Resize'))
    await userEvent.clear(screen.getByLabelText('Width (px)'))
    await userEvent.type(screen.getByLabelText('Width (px)'), '320')
    await userEvent.clear(screen.getByLabelText('Copies per image'))
    await userEvent.type(screen.getByLabelText('Copies per image'), '2')
    await userEvent.click(screen.getByLabelText('Grayscale'))
    await userEvent.click(screen.getByTestId('start-export'))
    await waitFor(() => expect(fetchMock.mock.calls.some(([url]) => String(url).includes('/export/'))).toBe(true))
    const call = fetchMock.mock.calls.find(([url]) => String(url).includes('/export/')) as unknown as [string, RequestInit]
    expect(call[0]).toBe('/api/v1/od/datasets/5/export/yolo')
    const body = JSON.parse(String(call[1].body)) as ExportRequest
    expect(body.version).toBeNull()
    expect(body.preprocessing).toEqual({ resize: { width: 320, height: 640, mode: 'letterbox' }, auto_orient: true, grayscale: true })
    expect(body.augmentation.copies).toBe(2)
    expect(body.split).toEqual({ ratios: { train: 0.7, val: 0.2, test: 0.1 }, seed: 0 })
    expect(body.include_images).toBe(true)
    expect(await screen.findByTestId('export-job')).toHaveAttribute('data-job-id', '31')
  })

  it('blocks the export while an option is out of range, and says which', async () => {
    const fetchMock = vi.fn(async (_url: string) => json({ items: [], next_cursor: null, total: 0 }))
    renderTab(fetchMock)
    await userEvent.clear(screen.getByLabelText('Copies per image'))
    await userEvent.type(screen.getByLabelText('Copies per image'), '50')
    expect(screen.getByTestId('export-invalid')).toHaveTextContent('An augmentation value is out of range.')
    expect(screen.getByTestId('start-export')).toBeDisabled()
    expect(fetchMock.mock.calls.every(([url]) => !String(url).includes('/export/'))).toBe(true)
  })
})
