import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Toaster } from '@/components/ui/sonner'
import type { AiModel, Job } from '@/lib/api'
import { AiModelsPage, modelsFolder } from './AiModelsPage'

configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const FOLDER = '/srv/shelfscope/models'

function model(overrides: Partial<AiModel>): AiModel {
  const key = overrides.key ?? 'grounding-dino-tiny'
  return {
    key,
    title: 'Grounding DINO (Swin-T)',
    task: 'detector',
    family: 'grounding-dino',
    hub_id: 'IDEA-Research/grounding-dino-tiny',
    size_mb: 689,
    licence: 'Apache-2.0',
    capabilities: ['text_prompt'],
    note: '',
    present: false,
    size_on_disk: 0,
    folder: `${FOLDER}/${key}`,
    fetch_job: null,
    ...overrides,
  }
}

const GDINO = model({})
const SAM = model({
  key: 'sam2.1-hiera-tiny',
  title: 'SAM 2.1 Hiera tiny',
  task: 'segmenter',
  family: 'sam2',
  hub_id: 'facebook/sam2.1-hiera-tiny',
  size_mb: 156,
  capabilities: ['point_prompt', 'box_prompt', 'auto_masks'],
  present: true,
  size_on_disk: 3 * 1024 * 1024,
})

function job(overrides: Partial<Job>): Job {
  return {
    id: 41,
    kind: 'ml.models.fetch',
    queue: 'ml',
    status: 'queued',
    progress: 0,
    stage: null,
    payload: { key: GDINO.key },
    result: null,
    error: null,
    attempt: 0,
    cancel_requested: false,
    runner: 'local',
    created_at: '2025-01-01T00:00:00Z',
    started_at: null,
    finished_at: null,
    heartbeat_at: null,
    created_by: 1,
    ...overrides,
  }
}

type Handler = (url: string, init: RequestInit) => Response | undefined

function serve(role: string, models: () => AiModel[], handler: Handler = () => undefined) {
  const me = { user: { id: 1, username: 'sam', display_name: 'Sam', role }, csrf_token: 'tok' }
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const answer = handler(url, { method: 'GET', ...init })
    if (answer) return answer
    if (url.endsWith('/auth/me')) return json(me)
    if (url.endsWith('/ml/models')) return json({ items: models() })
    return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <AiModelsPage />
        <Toaster />
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return fetchMock
}

function row(key: string): HTMLElement {
  const found = screen.getAllByTestId('ai-model-row').find((r) => r.dataset.key === key)
  if (!found) throw new Error(`no row for ${key}`)
  return found
}

function calls(fetchMock: ReturnType<typeof serve>, method: string): string[] {
  return fetchMock.mock.calls.filter(([, init]) => init?.method === method).map(([url]) => String(url))
}

afterEach(() => vi.unstubAllGlobals())

describe('AiModelsPage', () => {
  it('lists the catalogue with task, capabilities, licence, sizes and present or missing', async () => {
    serve('viewer', () => [GDINO, SAM])
    expect(await screen.findAllByTestId('ai-model-row')).toHaveLength(2)
    const gdino = row(GDINO.key)
    expect(gdino).toHaveTextContent('Grounding DINO (Swin-T)')
    expect(gdino).toHaveTextContent('Missing')
    expect(gdino).toHaveTextContent('Text prompt')
    expect(gdino).toHaveTextContent('~689 MB')
    expect(within(gdino).getByTestId('size-on-disk')).toHaveTextContent('—')
    const sam = row(SAM.key)
    expect(sam).toHaveTextContent('Present')
    expect(sam).toHaveTextContent('Segmenter')
    expect(sam).toHaveTextContent('Point promptBox promptAutomatic masks')
    expect(within(sam).getByTestId('size-on-disk')).toHaveTextContent('3.0 MB')
    expect(screen.getByTestId('models-summary')).toHaveTextContent('1 of 2 installed (3.0 MB).')
  })

  it('says why Grounding DINO 1.5 is missing and how to install weights offline', async () => {
    serve('viewer', () => [GDINO, SAM])
    await screen.findAllByTestId('ai-model-row')
    const note = screen.getByTestId('weights-note')
    expect(note).toHaveTextContent('Grounding DINO 1.5 is not among these: its weights are not public')
    expect(note).toHaveTextContent('open Grounding DINO and MM-Grounding-DINO weights')
    expect(note).toHaveTextContent(`${FOLDER}/<key>`)
    expect(note).toHaveTextContent('shelfscope models import KEY FOLDER')
    expect(modelsFolder([SAM])).toBe(FOLDER)
  })

  it('offers no fetch or delete to people who are not admins', async () => {
    serve('annotator', () => [GDINO, SAM])
    await screen.findAllByTestId('ai-model-row')
    expect(screen.queryByRole('button', { name: /Fetch|Delete/ })).toBeNull()
    expect(await screen.findByText(/Only admins can download or delete them/)).toBeInTheDocument()
  })

  it('fetches a model and follows the download until it is installed', async () => {
    let installed = false
    let polls = 0
    const running = job({ status: 'running', progress: 0.4, stage: 'Downloaded 275.6 of 689.0 MB' })
    const done = job({ status: 'succeeded', progress: 1, stage: 'Installed 689.0 MB' })
    const fetchMock = serve(
      'admin',
      () => [installed ? { ...GDINO, present: true, size_on_disk: 689_000_000 } : GDINO, SAM],
      (url, init) => {
        if (url.endsWith(`/ml/models/${GDINO.key}/fetch`) && init.method === 'POST') return json({ job: job({}) }, 202)
        if (url.endsWith('/jobs/41')) {
          polls += 1
          if (polls >= 3) installed = true
          return json(polls >= 3 ? done : running)
        }
        return undefined
      },
    )
    await screen.findAllByTestId('ai-model-row')
    await userEvent.click(within(row(GDINO.key)).getByRole('button', { name: 'Fetch Grounding DINO (Swin-T)' }))
    expect(await within(row(GDINO.key)).findByText('Downloaded 275.6 of 689.0 MB')).toBeInTheDocument()
    expect(within(row(GDINO.key)).getByText('40%')).toBeInTheDocument()
    expect(within(row(GDINO.key)).getByText('Downloading')).toBeInTheDocument()
    expect(await screen.findByText('Grounding DINO (Swin-T) is installed')).toBeInTheDocument()
    await waitFor(() => expect(row(GDINO.key)).toHaveTextContent('Present'))
    expect(within(row(GDINO.key)).getByTestId('size-on-disk')).toHaveTextContent('657.1 MB')
    expect(calls(fetchMock, 'POST')).toEqual([expect.stringMatching(/\/api\/v1\/ml\/models\/grounding-dino-tiny\/fetch$/)])
  })

  it('shows why a download failed and why a fetch was refused', async () => {
    const failed = job({ status: 'failed', progress: 0.1, error: 'FetchFailed: Fetching model failed: HTTP 500.' })
    serve('admin', () => [GDINO, { ...SAM, present: false, size_on_disk: 0 }], (url, init) => {
      if (url.endsWith(`/ml/models/${GDINO.key}/fetch`)) return json({ job: job({}) }, 202)
      if (url.endsWith(`/ml/models/${SAM.key}/fetch`) && init.method === 'POST') {
        return json({ error: 'Conflict', detail: "Downloads are turned off (SHELFSCOPE_ML_OFFLINE), so model 'sam2.1-hiera-tiny' cannot be fetched." }, 409)
      }
      return url.endsWith('/jobs/41') ? json(failed) : undefined
    })
    await screen.findAllByTestId('ai-model-row')
    await userEvent.click(within(row(GDINO.key)).getByRole('button', { name: /Fetch Grounding/ }))
    expect(await within(row(GDINO.key)).findByText(failed.error ?? '')).toBeInTheDocument()
    expect(row(GDINO.key)).toHaveTextContent('Missing')
    await userEvent.click(within(row(SAM.key)).getByRole('button', { name: /Fetch SAM/ }))
    expect(await screen.findByText(/Downloads are turned off/)).toBeInTheDocument()
  })

  it('deletes a model after confirmation', async () => {
    let deleted = false
    const fetchMock = serve('admin', () => [GDINO, deleted ? { ...SAM, present: false, size_on_disk: 0 } : SAM], (url, init) => {
      if (url.endsWith(`/ml/models/${SAM.key}`) && init.method === 'DELETE') {
        deleted = true
        return new Response(null, { status: 204 })
      }
      return undefined
    })
    await screen.findAllByTestId('ai-model-row')
    await userEvent.click(within(row(SAM.key)).getByRole('button', { name: 'Delete SAM 2.1 Hiera tiny' }))
    const dialog = await screen.findByRole('alertdialog')
    expect(dialog).toHaveTextContent(`${FOLDER}/${SAM.key}`)
    expect(calls(fetchMock, 'DELETE')).toEqual([])
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete weights' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument())
    await waitFor(() => expect(row(SAM.key)).toHaveTextContent('Missing'))
    expect(calls(fetchMock, 'DELETE')).toEqual([expect.stringMatching(/\/ml\/models\/sam2\.1-hiera-tiny$/)])
    expect(await screen.findByText('Deleted the weights of SAM 2.1 Hiera tiny')).toBeInTheDocument()
  })

  it('shows the error with a retry when the list cannot load', async () => {
    serve('admin', () => [], (url) => (url.endsWith('/ml/models') ? json({ error: 'Internal', detail: 'Disk is gone.' }, 500) : undefined))
    expect(await screen.findByText('Disk is gone.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: /Try again/ })).toBeInTheDocument()
  })
})
