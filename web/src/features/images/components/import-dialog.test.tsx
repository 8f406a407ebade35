import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { fireEvent, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BatchResult, Job, JsonObject } from '@/lib/api'
import { makeJob } from '@/test/jobs'
import { ImportDialog } from './import-dialog'

const URLS = ['https://example.com/shelf 1.jpg', 'https://example.com/slow.jpg']

function job(overrides: Partial<Job>): Job {
  return makeJob({ kind: 'od.images.import_url', ...overrides })
}

const RESULT: BatchResult = {
  results: [
    { filename: 'shelf 1.jpg', url: URLS[0], status: 'stored', image: null, error: null },
    {
      filename: 'slow.jpg',
      url: URLS[1],
      status: 'rejected',
      image: null,
      error: { error: 'ValidationFailed', detail: 'could not be fetched within 120 s' },
    },
  ],
  stored: 1,
  duplicate: 0,
  rejected: 1,
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

afterEach(() => vi.unstubAllGlobals())

describe('ImportDialog, From URL', () => {
  it('starts a job with one URL per line, follows it and lists each URL of its result', async () => {
    const posted: unknown[] = []
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      if (url.endsWith('/od/images/import/url')) {
        posted.push(JSON.parse(String(init?.body)))
        return json({ job: job({}) }, 202)
      }
      if (url.endsWith('/jobs/7')) return json(job({ status: 'succeeded', progress: 1, result: JSON.parse(JSON.stringify(RESULT)) as JsonObject }))
      return json({ items: [], next_cursor: null, total: 0 })
    })
    vi.stubGlobal('fetch', fetchMock)
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>
          <ImportDialog open onOpenChange={() => {}} initialTab="url" />
        </MemoryRouter>
      </QueryClientProvider>,
    )

    fireEvent.change(screen.getByLabelText('Image URLs'), { target: { value: `${URLS[0]}\n\n ${URLS[1]}\n` } })
    await userEvent.click(screen.getByRole('button', { name: /Import 2 URLs/ }))

    expect(posted).toEqual([{ urls: URLS, folder: null, tags: [] }])
    const list = await screen.findByTestId('url-import-result', undefined, { timeout: 4000 })
    expect(within(list).getByText('1 stored')).toBeTruthy()
    expect(within(list).getByText(URLS[0])).toBeTruthy()
    expect(within(list).getByText('could not be fetched within 120 s')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Job #7' }).getAttribute('href')).toBe('/jobs/7')
  }, 15_000)
})

describe('ImportDialog sync tab', () => {
  it('says which server settings turn sync on', () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>
          <ImportDialog open onOpenChange={() => undefined} initialTab="sync" />
        </MemoryRouter>
      </QueryClientProvider>,
    )
    const setup = screen.getByTestId('sync-setup')
    expect(setup).toHaveTextContent('SHELFSCOPE_SYNC_BASE_URL')
    expect(setup).toHaveTextContent('SHELFSCOPE_SYNC_TOKEN')
  })
})
