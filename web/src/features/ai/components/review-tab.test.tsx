import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes, useParams } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mlModel } from '@/test/ai'
import { ReviewTab } from './review-tab'

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

function Editor() {
  const { datasetId, imageId } = useParams()
  return <p data-testid="editor-opened">{`${datasetId}/${imageId}`}</p>
}

function show(queue: unknown[], stats: unknown[]) {
  const asked: string[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      asked.push(url)
      if (url.includes('/od/ai/review/stats')) return json({ items: stats })
      if (url.includes('/od/ai/review')) return json({ items: queue, next_cursor: null, total: queue.length })
      if (url.includes('/ml/models')) return json({ items: [mlModel(), mlModel({ key: 'owlv2-base', title: 'OWLv2 (ViT-B/16)' })] })
      return json({ items: [] })
    }),
  )
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={['/od/datasets/3?tab=review']}>
        <Routes>
          <Route path="/od/datasets/:id" element={<ReviewTab datasetId={3} />} />
          <Route path="/od/annotate/:datasetId/:imageId" element={<Editor />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return asked
}

afterEach(() => vi.unstubAllGlobals())

describe('ReviewTab', () => {
  it('lists the images with pending predictions and "Review next" opens the first in the editor', async () => {
    const asked = show(
      [
        { image_id: 41, filename: 'shelf-041.jpg', pending: 7, models: ['grounding-dino-tiny'] },
        { image_id: 42, filename: 'shelf-042.jpg', pending: 1, models: ['grounding-dino-tiny', 'owlv2-base'] },
      ],
      [],
    )
    const rows = await screen.findAllByTestId('review-image')
    expect(rows.map((r) => [r.getAttribute('data-image-id'), within(r).getByText(/prediction/).textContent])).toEqual([
      ['41', '7 predictions'],
      ['42', '1 prediction'],
    ])
    expect(asked.some((u) => u.includes('dataset_id=3'))).toBe(true)
    expect(within(rows[1] as HTMLElement).getByRole('link', { name: /Review/ }).getAttribute('href')).toBe('/od/annotate/3/42')
    await userEvent.click(screen.getByTestId('review-next'))
    expect(await screen.findByTestId('editor-opened')).toHaveTextContent('3/41')
  })

  it('shows per model the shares accepted as is, after edit and rejected, and says whether AI saves time', async () => {
    show(
      [],
      [
        { model: 'grounding-dino-tiny', accepted_as_is: 30, accepted_after_edit: 10, rejected: 10, pending: 4 },
        { model: 'owlv2-base', accepted_as_is: 2, accepted_after_edit: 3, rejected: 45, pending: 0 },
      ],
    )
    const [gd, owl] = await screen.findAllByTestId('review-model')
    expect(within(gd as HTMLElement).getByText('Grounding DINO (Swin-T)')).toBeInTheDocument()
    expect(within(gd as HTMLElement).getByTestId('share-asIs')).toHaveTextContent('60% accepted as is')
    expect(within(gd as HTMLElement).getByTestId('share-afterEdit')).toHaveTextContent('20% accepted after edit')
    expect(within(gd as HTMLElement).getByTestId('share-rejected')).toHaveTextContent('20% rejected')
    expect(within(gd as HTMLElement).getByTestId('review-verdict')).toHaveTextContent('AI is saving time')
    expect(within(owl as HTMLElement).getByTestId('review-verdict')).toHaveTextContent('AI is not saving time yet: 90%')
    expect(screen.getByText('Nothing to review')).toBeInTheDocument()
    expect(screen.getByTestId('review-next')).toBeDisabled()
  })
})
