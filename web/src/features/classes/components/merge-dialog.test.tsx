import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OdClass } from '@/lib/api'
import { MergeDialog } from './merge-dialog'

function cls(id: number, name: string, aliases: string[] = []): OdClass {
  return {
    id,
    name,
    display_name: name,
    color: '#ff0000',
    category: null,
    description: '',
    aliases,
    annotation_count: id,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
  }
}

const CLASSES = [cls(1, 'cola'), cls(2, 'coke'), cls(3, 'water', ['aqua']), cls(4, 'chips')]

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function renderDialog(onClose = vi.fn(), initialTarget?: number) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  render(
    <QueryClientProvider client={client}>
      <MergeDialog classes={CLASSES} initialSources={[2]} initialTarget={initialTarget} canMerge onClose={onClose} />
    </QueryClientProvider>,
  )
  return onClose
}

afterEach(() => vi.unstubAllGlobals())

describe('MergeDialog', () => {
  it('narrows the source list by name or alias', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({})))
    renderDialog()
    const user = userEvent.setup()
    await user.type(screen.getByRole('searchbox', { name: 'Search source classes' }), 'aq')
    expect(screen.getByRole('checkbox', { name: 'Merge water' })).toBeInTheDocument()
    expect(screen.queryByRole('checkbox', { name: 'Merge cola' })).toBeNull()
    await user.clear(screen.getByRole('searchbox', { name: 'Search source classes' }))
    await user.type(screen.getByRole('searchbox', { name: 'Search source classes' }), 'zzz')
    expect(screen.getByText(/No class matches/)).toBeInTheDocument()
  })

  it('does not ask for the preview of the merged-away classes after the merge', async () => {
    const calls: string[] = []
    const preview = { target: { id: 1, name: 'cola' }, sources: [], annotations: 2, images: 1, datasets: [], aliases_added: ['coke'] }
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input)
      calls.push(url)
      if (url.includes('/merge/preview')) {
        const merged = calls.some((c) => c.endsWith('/od/classes/merge'))
        return merged ? json({ error: 'NotFound', detail: 'Class 2 not found' }, 404) : json(preview)
      }
      if (url.endsWith('/od/classes/merge')) return json({ target: cls(1, 'cola'), merged: [{ id: 2, name: 'coke' }], annotations_moved: 2, images: 1 })
      return json({ items: [], next_cursor: null, total: 0 })
    })
    vi.stubGlobal('fetch', fetchMock)
    const onClose = renderDialog(vi.fn(), 1)
    const user = userEvent.setup()
    await waitFor(() => expect(screen.getByTestId('merge-annotations')).toHaveTextContent('2'))
    await user.click(screen.getByTestId('confirm-merge'))
    await waitFor(() => expect(onClose).toHaveBeenCalled())
    await new Promise((resolve) => setTimeout(resolve, 50))
    const merge = calls.findIndex((c) => c.endsWith('/od/classes/merge'))
    expect(merge).toBeGreaterThanOrEqual(0)
    expect(calls.slice(merge).filter((c) => c.includes('/merge/preview'))).toEqual([])
  })
})
