import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { ImportDialog } from './import-dialog'

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
