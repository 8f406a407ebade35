import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Job, AiModel } from '@/lib/api'
import { mlModel } from '@/test/ai'
import { makeJob } from '@/test/jobs'
import { AutoAnnotateDialog } from './auto-annotate-dialog'

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const LABEL_SET = {
  dataset_id: 3,
  items: [
    { id: 1, name: 'coca_cola_can', display_name: 'Coca-Cola can', color: '#ef4444', category: null, key: 1, listed: true, annotation_count: 0 },
    { id: 2, name: 'bottle', display_name: '', color: '#3b82f6', category: null, key: 2, listed: true, annotation_count: 0 },
  ],
}
const CATALOGUE = LABEL_SET.items.map((c) => ({ ...c, description: '', aliases: c.id === 1 ? ['coke'] : [], created_at: '', updated_at: '' }))

/** A fake server: the models, the label set and catalogue, and a run that finishes on its second look. */
function server(models: AiModel[]) {
  const posted: unknown[] = []
  let looks = 0
  const job = (over: Partial<Job>) => makeJob({ id: 7, kind: 'od.ai.annotate', ...over })
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      if (url.includes('/ml/models')) return json({ items: models })
      if (url.includes('/od/datasets/3/classes')) return json(LABEL_SET)
      if (url.includes('/od/classes')) return json({ items: CATALOGUE, next_cursor: null, total: 2 })
      if (url.endsWith('/od/ai/annotate') && init?.method === 'POST') {
        posted.push(JSON.parse(String(init.body)))
        return json({ job: job({}) }, 202)
      }
      if (url.endsWith('/od/ai/annotate/7')) {
        looks += 1
        const done = looks > 1
        return json({ job: job({ status: done ? 'succeeded' : 'running' }), images_done: done ? 2 : 1, images_total: 2, counts: [{ class_id: 1, name: 'Coca-Cola can', count: done ? 5 : 2 }] })
      }
      if (url.endsWith('/jobs/7')) return json(job({ status: looks > 1 ? 'succeeded' : 'running', progress: looks > 1 ? 1 : 0.5 }))
      return json({ items: [], next_cursor: null, total: 0 })
    }),
  )
  return { posted }
}

function show(imageIds: number[] = [11, 12]) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <AutoAnnotateDialog open onOpenChange={() => undefined} datasetId={3} imageIds={imageIds} />
      </MemoryRouter>
    </QueryClientProvider>,
  )
}

afterEach(() => vi.unstubAllGlobals())

describe('AutoAnnotateDialog', () => {
  it('prompts start as the dataset classes; a typed prompt maps by alias; Start sends the run and follows it to its summary', async () => {
    const { posted } = server([mlModel({ key: 'missing', title: 'Missing model', present: false }), mlModel()])
    show()
    const chips = await screen.findAllByTestId('prompt-chip')
    expect(chips.map((c) => c.textContent)).toEqual([expect.stringContaining('Coca-Cola can'), expect.stringContaining('bottle')])
    await waitFor(() => expect(screen.getByTestId('model-select')).toHaveTextContent('Grounding DINO'))
    fireEvent.change(screen.getByLabelText('New prompt'), { target: { value: 'coke' } })
    fireEvent.keyDown(screen.getByLabelText('New prompt'), { key: 'Enter' })
    expect(screen.getByLabelText('Class for “coke”')).toHaveValue('1')
    fireEvent.change(screen.getByLabelText('Confidence threshold'), { target: { value: '0.4' } })
    await userEvent.click(screen.getByTestId('annotate-start'))

    await waitFor(() => expect(posted).toHaveLength(1))
    expect(posted[0]).toEqual({
      dataset_id: 3,
      images: { scope: 'selected', image_ids: [11, 12] },
      model: 'grounding-dino-tiny',
      prompts: [
        { text: 'Coca-Cola can', class_id: 1 },
        { text: 'bottle', class_id: 2 },
        { text: 'coke', class_id: 1 },
      ],
      unknown_labels: 'drop',
      threshold: 0.4,
      max_boxes_per_image: 100,
      nms_iou: 0.5,
    })
    const run = await screen.findByTestId('annotate-run')
    await waitFor(() => expect(within(run).getByTestId('annotate-images')).toHaveTextContent('2 of 2 images done'), { timeout: 5000 })
    expect(within(run).getByTestId('annotate-counts')).toHaveTextContent('5 predictions waiting for review')
    expect(screen.getByTestId('open-review').getAttribute('href')).toBe('/od/datasets/3?tab=review')
  }, 20_000)

  it('a model without weights links to Settings → Models and cannot start', async () => {
    server([mlModel({ present: false })])
    show()
    expect(await screen.findByTestId('model-missing')).toHaveTextContent('Settings → Models')
    expect(screen.getByRole('link', { name: /Settings → Models/ }).getAttribute('href')).toBe('/settings/models')
    expect(screen.getByTestId('annotate-start')).toBeDisabled()
    expect(screen.getByTestId('annotate-problems')).toHaveTextContent(/not on this server yet/)
  })

  it('asks what to do with labels an open-vocabulary model names itself', async () => {
    server([mlModel({ key: 'florence-2-base', title: 'Florence-2 base', capabilities: ['text_prompt', 'open_vocabulary'] })])
    show([])
    expect(await screen.findByTestId('unknown-labels')).toBeInTheDocument()
    // Without a selection the choices are the whole dataset or its unannotated images.
    expect(within(screen.getByTestId('annotate-scope')).getAllByRole('radio').map((r) => r.textContent)).toEqual(['All images', 'Unannotated only'])
  })
})
