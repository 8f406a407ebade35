import type { AiModel } from '@/lib/api'

/** A catalogue model as GET /ml/models lists it (Grounding DINO tiny, weights present); tests override what they need. */
export function mlModel(overrides: Partial<AiModel> = {}): AiModel {
  return {
    key: 'grounding-dino-tiny',
    title: 'Grounding DINO (Swin-T)',
    task: 'detector',
    family: 'grounding-dino',
    hub_id: 'IDEA-Research/grounding-dino-tiny',
    size_mb: 689,
    licence: 'Apache-2.0',
    capabilities: ['text_prompt'],
    note: '',
    present: true,
    size_on_disk: 700_000_000,
    folder: '/data/models/grounding-dino-tiny',
    fetch_job: null,
    ...overrides,
  }
}
