import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LabelSetClass } from '@/lib/api'
import { LabelSetTab } from './label-set-tab'

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const item = (id: number, name: string, annotation_count = 0, listed = true): LabelSetClass => ({
  id,
  name,
  display_name: '',
  color: '#ef4444',
  category: null,
  key: null,
  listed,
  annotation_count,
})

const STATS = { dataset_id: 5, annotation_count: 4, annotations_by_class: [{ class_id: 3, name: 'can', display_name: '', color: '#ef4444', annotations: 4, images: 2 }] }

afterEach(() => vi.unstubAllGlobals())

function renderTab(items: LabelSetClass[], puts: unknown[], canEdit = true) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      if (url.includes('/stats')) return json(STATS)
      if (url.endsWith('/od/datasets/5/classes') && init?.method === 'PUT') {
        const body = JSON.parse(String(init.body)) as { class_ids: number[] }
        puts.push(body)
        const byId = new Map(items.map((c) => [c.id, c]))
        return json({ dataset_id: 5, items: body.class_ids.map((id) => ({ ...byId.get(id)!, listed: true })) })
      }
      if (url.endsWith('/od/datasets/5/classes')) return json({ dataset_id: 5, items })
      return json({ error: 'NotFound', detail: url }, 404)
    }),
  )
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <LabelSetTab datasetId={5} canEdit={canEdit} />
    </QueryClientProvider>,
  )
}

const names = () => screen.getAllByTestId('label-set-row').map((r) => within(r).getAllByRole('cell')[2]?.textContent)

describe('LabelSetTab', () => {
  it('shows the set in order with keys, reorders with the arrows and saves the whole order', async () => {
    const user = userEvent.setup()
    const puts: unknown[] = []
    renderTab([item(1, 'bottle'), item(2, 'box'), item(3, 'can', 4, false)], puts)
    await waitFor(() => expect(names()).toEqual(['bottle', 'box', 'canfrom annotations']))
    const keys = screen.getAllByTestId('label-set-row').map((r) => within(r).getAllByRole('cell')[1]?.textContent)
    expect(keys).toEqual(['1', '2', '3'])
    expect(screen.getByRole('button', { name: 'Save order' })).toBeDisabled()
    // A class its annotations use cannot be removed here.
    expect(screen.getByRole('button', { name: 'Remove can' })).toBeDisabled()

    await user.click(screen.getByRole('button', { name: 'Move can up' }))
    await user.click(screen.getByRole('button', { name: 'Move can up' }))
    expect(names()).toEqual(['canfrom annotations', 'bottle', 'box'])
    await user.click(screen.getByRole('button', { name: 'Remove box' }))
    await user.click(screen.getByRole('button', { name: 'Save order' }))
    await waitFor(() => expect(puts).toEqual([{ class_ids: [3, 1] }]))
    await waitFor(() => expect(names()).toEqual(['can', 'bottle']))
    expect(screen.getByRole('button', { name: 'Save order' })).toBeDisabled()
  }, 20_000)

  it('lets viewers read the set without editing it', async () => {
    renderTab([item(1, 'bottle')], [], false)
    await waitFor(() => expect(names()).toEqual(['bottle']))
    expect(screen.queryByRole('button', { name: 'Save order' })).toBeNull()
    expect(screen.queryByRole('button', { name: /Move/ })).toBeNull()
  })

  it('explains an empty set', async () => {
    renderTab([], [])
    expect(await screen.findByText('No classes in this dataset yet')).toBeInTheDocument()
  })
})
