import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { queryKeys, type Job } from '@/lib/api'
import { makeJob as baseJob } from '@/test/jobs'
import { CancelJobButton } from './cancel-job-button'

function makeJob(overrides: Partial<Job> = {}): Job {
  return baseJob({
    status: 'running',
    progress: 0.4,
    stage: 'checked 24 of 60 images',
    started_at: '2025-01-01T00:00:01Z',
    ...overrides,
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.cookie = 'shelfscope_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'
})

describe('CancelJobButton', () => {
  it('posts the cancel with the CSRF header and stores the returned job', async () => {
    document.cookie = 'shelfscope_csrf=tok; path=/'
    const cancelled = makeJob({ status: 'cancelled', finished_at: '2025-01-01T00:00:02Z' })
    const fetchMock = vi.fn(
      async () => new Response(JSON.stringify({ job: cancelled }), { status: 202, headers: { 'Content-Type': 'application/json' } }),
    )
    vi.stubGlobal('fetch', fetchMock)
    const queryClient = new QueryClient()
    render(
      <QueryClientProvider client={queryClient}>
        <CancelJobButton job={makeJob()} confirm={false} testId="cancel-job" />
      </QueryClientProvider>,
    )
    await userEvent.click(screen.getByTestId('cancel-job'))
    await waitFor(() => expect(queryClient.getQueryData(queryKeys.jobs.detail(7))).toEqual(cancelled))
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/jobs/7/cancel')
    expect(init.method).toBe('POST')
    expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
  })

  it('asks for confirmation by default', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    render(
      <QueryClientProvider client={new QueryClient()}>
        <CancelJobButton job={makeJob()} />
      </QueryClientProvider>,
    )
    await userEvent.click(screen.getByRole('button', { name: 'Cancel job 7' }))
    expect(await screen.findByRole('alertdialog')).toHaveTextContent('Cancel job #7?')
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('renders nothing for a finished job', () => {
    const { container } = render(
      <QueryClientProvider client={new QueryClient()}>
        <CancelJobButton job={makeJob({ status: 'succeeded' })} />
      </QueryClientProvider>,
    )
    expect(container).toBeEmptyDOMElement()
  })
})
