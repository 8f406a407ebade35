import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Architecture, DatasetVersion, TrainingRunCreate } from '@/lib/api'
import { NewTrainingPage } from './NewTrainingPage'

configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function arch(key: string, family: string, available = true, extra: Partial<Architecture> = {}): Architecture {
  return {
    key,
    title: key.toUpperCase(),
    family,
    size: key.split('-').pop() ?? '',
    default_image_size: 384,
    size_multiple: 32,
    params_m: 30,
    weights_licence: 'Apache-2.0',
    note: '',
    available,
    unavailable_reason: available ? null : 'the YOLO-NAS environment is not installed',
    ...extra,
  }
}

const ARCHS = [
  arch('rfdetr-nano', 'rfdetr'),
  arch('rtdetrv2-r18', 'rtdetrv2', true, { default_image_size: 640 }),
  arch('yolo-nas-s', 'yolo-nas', false, { weights_licence: 'Deci YOLO-NAS licence (non-commercial; no resale or managed services)' }),
]

const VERSION: DatasetVersion = {
  id: 11,
  dataset_id: 1,
  number: 2,
  name: 'frozen',
  description: '',
  status: 'ready',
  class_mapping: [{ index: 0, class_id: 5, name: 'cola' }],
  split_config: {},
  counts: { images: { train: 8, val: 2, test: 2 }, annotations: {}, classes: {}, total_images: 12, total_annotations: 40, error: null },
  job_id: null,
  created_by: 1,
  created_at: '2025-01-01T00:00:00Z',
}

type Handler = (url: string, init: RequestInit) => Response | undefined

function serve(handler: Handler = () => undefined) {
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const answer = handler(url, { method: 'GET', ...init })
    if (answer) return answer
    if (url.endsWith('/auth/me')) return json({ user: { id: 1, username: 'ann', display_name: 'Ann', role: 'admin' }, csrf_token: 't' })
    if (url.includes('/od/datasets/1/versions')) return json({ items: [VERSION], next_cursor: null, total: 1 })
    if (url.includes('/od/datasets')) return json({ items: [{ id: 1, name: 'Shelves' }], next_cursor: null, total: 1 })
    if (url.endsWith('/od/training/architectures')) return json(ARCHS)
    if (url.endsWith('/od/trainers'))
      return json({
        items: [{ family: 'yolo-nas', title: 'YOLO-NAS', architectures: ['yolo-nas-s'], separate_env: true, installed: false, missing: 'the YOLO-NAS environment is not installed', env_folder: null, install_job: null }],
      })
    if (url.includes('/od/models')) return json({ items: [], next_cursor: null, total: 0 })
    if (url.includes('/od/training/estimate')) return json({ seconds: 125, images_per_epoch: 8, device: 'cpu' })
    return json({ error: 'NotFound', detail: `no mock for ${url}` }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={['/od/training/new']}>
        <Routes>
          <Route path="/od/training/new" element={<NewTrainingPage />} />
          <Route path="/od/training/:id" element={<p>run page</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  )
  return fetchMock
}

beforeAll(() => {
  // Radix Select asks the pointer what it captured; jsdom has no pointer capture.
  Element.prototype.hasPointerCapture ??= () => false
  Element.prototype.scrollIntoView ??= () => {}
})
afterEach(() => vi.unstubAllGlobals())

async function pickVersionAndModel(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('combobox', { name: 'Dataset' }))
  await user.click(await screen.findByRole('option', { name: 'Shelves' }))
  await user.click(await screen.findByTestId('version-2'))
  await user.click(screen.getByTestId('wizard-next'))
  await user.click(await screen.findByTestId('arch-rfdetr-nano'))
  expect(screen.getByTestId('weights-licence')).toHaveTextContent('Apache-2.0')
  await user.click(screen.getByTestId('wizard-next'))
}

describe('NewTrainingPage', () => {
  it('walks the four steps, fills a preset, and shows the API refusal next to the field it names', async () => {
    const posted: TrainingRunCreate[] = []
    const fetchMock = serve((url, init) => {
      if (init.method === 'POST' && url.endsWith('/od/training')) {
        posted.push(JSON.parse(String(init.body)) as TrainingRunCreate)
        return json({ error: 'ValidationFailed', detail: 'config.batch_size: too big for this GPU', fields: [{ field: 'config.batch_size', message: 'too big for this GPU' }] }, 422)
      }
      return undefined
    })
    const user = userEvent.setup()
    await pickVersionAndModel(user)
    expect(screen.getByTestId('wizard-image_size')).toHaveValue('384')
    await user.click(screen.getByTestId('preset-quick'))
    expect(screen.getByTestId('wizard-epochs')).toHaveValue('10')
    await user.click(screen.getByTestId('wizard-next'))
    expect(await screen.findByTestId('training-estimate')).toHaveTextContent('About 2m 5s on cpu')
    expect(fetchMock.mock.calls.some(([u]) => String(u).includes('estimate?dataset_version_id=11&architecture=rfdetr-nano&epochs=10&image_size=384&batch_size=8'))).toBe(true)
    await user.click(screen.getByTestId('wizard-start'))
    expect(await screen.findByTestId('error-config.batch_size')).toHaveTextContent('too big for this GPU')
    expect(screen.getByTestId('wizard-body-3')).toBeInTheDocument()
    expect(posted).toEqual([
      {
        dataset_version_id: 11,
        architecture: 'rfdetr-nano',
        config: expect.objectContaining({ epochs: 10, batch_size: 8, image_size: 384, augmentation: 'light', preset: 'quick', pretrained: true }),
      },
    ])
    // Editing the field clears the server's message.
    await user.type(screen.getByTestId('wizard-batch_size'), '0')
    await waitFor(() => expect(screen.queryByTestId('error-config.batch_size')).toBeNull())
  })

  it('checks an image size against the architecture before sending and keeps Next disabled', async () => {
    serve()
    const user = userEvent.setup()
    await pickVersionAndModel(user)
    const size = screen.getByTestId('wizard-image_size')
    await user.clear(size)
    await user.type(size, '400')
    expect(await screen.findByTestId('error-config.image_size')).toHaveTextContent('A multiple of 32')
    expect(screen.getByTestId('wizard-next')).toBeDisabled()
  })

  it('shows YOLO-NAS as needing its environment, with an install button', async () => {
    const installs: string[] = []
    serve((url, init) => {
      if (init.method === 'POST' && url.endsWith('/install')) {
        installs.push(url)
        return json({ job: { id: 3, kind: 'od.trainers.install', status: 'queued', progress: 0 } }, 202)
      }
      return undefined
    })
    const user = userEvent.setup()
    await user.click(await screen.findByRole('combobox', { name: 'Dataset' }))
    await user.click(await screen.findByRole('option', { name: 'Shelves' }))
    await user.click(await screen.findByTestId('version-2'))
    await user.click(screen.getByTestId('wizard-next'))
    await user.click(within(await screen.findByTestId('wizard-family')).getByRole('radio', { name: 'YOLO-NAS' }))
    const env = await screen.findByTestId('trainer-env')
    expect(env).toHaveAttribute('data-state', 'missing')
    expect(env).toHaveTextContent('The YOLO-NAS environment is not installed.')
    expect(env).toHaveTextContent('From a shell: shelfscope trainers install yolo-nas')
    expect(screen.getByTestId('arch-yolo-nas-s')).toBeDisabled()
    expect(screen.getByTestId('weights-licence')).toHaveTextContent('non-commercial')
    expect(screen.getByTestId('weights-licence')).toHaveTextContent('Training from scratch')
    await user.click(screen.getByTestId('install-trainer'))
    await waitFor(() => expect(installs).toEqual(['/api/v1/od/trainers/yolo-nas/install']))
  })
})
