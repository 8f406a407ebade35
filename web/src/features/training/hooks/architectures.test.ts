import { describe, expect, it } from 'vitest'
import type { Architecture, TrainerEnv } from '@/lib/api'
import { makeJob } from '@/test/jobs'
import { defaultSize, envState, groupByFamily } from './architectures'

function arch(key: string, family: string, available = true): Architecture {
  return {
    key,
    title: key,
    family,
    size: key.split('-').pop() ?? '',
    default_image_size: 640,
    size_multiple: 32,
    params_m: 1,
    weights_licence: 'Apache-2.0',
    note: '',
    available,
    unavailable_reason: available ? null : 'not installed',
  }
}

describe('groupByFamily', () => {
  it('keeps catalogue order and marks a family available when one size is', () => {
    const groups = groupByFamily([arch('rfdetr-nano', 'rfdetr'), arch('yolo-nas-s', 'yolo-nas', false), arch('rfdetr-small', 'rfdetr')])
    expect(groups.map((g) => [g.title, g.architectures.length, g.available])).toEqual([
      ['RF-DETR', 2, true],
      ['YOLO-NAS', 1, false],
    ])
    expect(defaultSize(groups[0]!)?.key).toBe('rfdetr-nano')
    expect(defaultSize(groups[1]!)).toBeNull()
  })
})

describe('envState', () => {
  const env = (overrides: Partial<TrainerEnv>): TrainerEnv => ({
    family: 'yolo-nas',
    title: 'YOLO-NAS',
    architectures: ['yolo-nas-s'],
    installed: false,
    separate_env: true,
    missing: 'the environment is not installed',
    env_folder: null,
    ...overrides,
  })
  it('reads the install state from the flag and the install job', () => {
    expect(envState(undefined)).toBe('builtin')
    expect(envState(env({}))).toBe('missing')
    expect(envState(env({ install_job: makeJob({ status: 'running' }) }))).toBe('installing')
    expect(envState(env({ install_job: makeJob({ status: 'queued' }) }))).toBe('installing')
    expect(envState(env({ install_job: makeJob({ status: 'failed' }) }))).toBe('failed')
    expect(envState(env({ installed: true, install_job: makeJob({ status: 'succeeded' }) }))).toBe('ready')
    expect(envState(env({ installed: true, separate_env: false }))).toBe('builtin')
  })
})
