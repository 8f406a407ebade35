import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AddImagesRequest } from '@/lib/api'
import { LibraryPicker } from './library-picker'

afterEach(() => vi.unstubAllGlobals())

describe('LibraryPicker folder filter', () => {
  it('matches a folder exactly unless "Include subfolders" is ticked, as the library does', { timeout: 20_000 }, async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ items: [], next_cursor: null, total: 0, folders: [], tags: [], count: 0 }), { status: 200, headers: { 'Content-Type': 'application/json' } })),
    )
    const submitted: AddImagesRequest[] = []
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <LibraryPicker excludeDatasetId={null} pending={false} submitLabel={() => 'Add'} onSubmit={(r) => submitted.push(r)} />
      </QueryClientProvider>,
    )
    const user = userEvent.setup()
    await user.click(screen.getByRole('tab', { name: 'All matching a filter' }))
    await user.type(screen.getByLabelText('Folder'), 'stores/berlin')
    await user.click(screen.getByTestId('picker-submit'))
    expect(submitted[0]).toMatchObject({ filter: { folder: 'stores/berlin' } })
    expect((submitted[0] as { filter: { folder_prefix?: boolean } }).filter.folder_prefix ?? false).toBe(false)

    await user.click(screen.getByRole('checkbox', { name: 'Include subfolders' }))
    await user.click(screen.getByTestId('picker-submit'))
    expect(submitted[1]).toMatchObject({ filter: { folder: 'stores/berlin', folder_prefix: true } })
  })
})
