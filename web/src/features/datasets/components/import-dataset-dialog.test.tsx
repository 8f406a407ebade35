import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DatasetsPage } from '../pages/DatasetsPages'

afterEach(() => vi.unstubAllGlobals())

describe('DatasetsPage', () => {
  it('opens the dataset import from the datasets page', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ items: [], next_cursor: null, total: 0 }), { status: 200, headers: { 'Content-Type': 'application/json' } })),
    )
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <MemoryRouter>
          <DatasetsPage />
        </MemoryRouter>
      </QueryClientProvider>,
    )
    await userEvent.setup().click(screen.getByTestId('import-dataset'))
    expect(await screen.findByTestId('import-dataset-dialog')).toBeInTheDocument()
    expect(screen.getByRole('heading', { name: 'Import a dataset' })).toBeInTheDocument()
  })
})
