import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { shelfBox } from '@/test/matching'
import { ShelfImagePage } from './ShelfImagePage'

const VIEW = {
  image: { id: 7, filename: 'shelf_1.jpg', width: 1200, height: 520, file_url: '/file/7' },
  boxes: [
    shelfBox(1, { state: 'matched', product: { id: 3, sku: 'SKU-3', name: 'Milk' }, box: { x1: 0, y1: 0, x2: 600, y2: 260 } }),
    shelfBox(2, { predicted: { product: { id: 4, sku: 'SKU-4', name: 'Juice' }, similarity: 0.875 } }),
    shelfBox(3, { state: 'rejected' }),
  ],
}

afterEach(() => vi.unstubAllGlobals())

describe('ShelfImagePage', () => {
  it('draws every box on the photo labelled with its matched or predicted SKU', async () => {
    const fetchMock = vi.fn(async (url: string) =>
      new Response(JSON.stringify(url.includes('/pr/matching/images/7') ? VIEW : {}), { status: 200, headers: { 'Content-Type': 'application/json' } }),
    )
    vi.stubGlobal('fetch', fetchMock)
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <MemoryRouter initialEntries={['/matching/images/7?collection=2']}>
          <Routes>
            <Route path="/matching/images/:imageId" element={<ShelfImagePage />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    )
    expect(await screen.findByRole('heading', { level: 1, name: 'shelf_1.jpg' })).toBeVisible()
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('/api/v1/pr/matching/images/7?collection_id=2')
    const boxes = screen.getAllByTestId('shelf-box')
    expect(boxes.map((b) => [b.getAttribute('data-kind'), b.getAttribute('data-sku'), b.textContent])).toEqual([
      ['matched', 'SKU-3', 'SKU-3'],
      ['predicted', 'SKU-4', 'SKU-4 · 0.875'],
      ['rejected', '', 'rejected'],
    ])
    expect(boxes[0]!.style.width).toBe('50%')
    expect(screen.getByTestId('legend-matched')).toHaveAttribute('data-count', '1')
  })
})
