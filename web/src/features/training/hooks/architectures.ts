/** Group the catalogue by family for the wizard's model step. */
import type { Architecture, TrainerEnv } from '@/lib/api'

export const FAMILY_TITLES: Record<string, string> = {
  rfdetr: 'RF-DETR',
  rtdetrv2: 'RT-DETRv2',
  'yolo-nas': 'YOLO-NAS',
}

export const FAMILY_SUMMARIES: Record<string, string> = {
  rfdetr: 'DINOv2 backbone, strong accuracy on small datasets. Apache-2.0.',
  rtdetrv2: 'Real-time DETR with ResNet backbones (transformers). Apache-2.0.',
  'yolo-nas': 'Fast single-stage detector; trains in its own environment.',
}

export interface FamilyGroup {
  family: string
  title: string
  architectures: Architecture[]
  /** Whether any size can be trained now. */
  available: boolean
}

/** Families in catalogue order, each with its sizes (catalogue order too). */
export function groupByFamily(architectures: readonly Architecture[]): FamilyGroup[] {
  const groups = new Map<string, FamilyGroup>()
  for (const arch of architectures) {
    const group = groups.get(arch.family) ?? { family: arch.family, title: FAMILY_TITLES[arch.family] ?? arch.family, architectures: [], available: false }
    group.architectures.push(arch)
    group.available ||= arch.available
    groups.set(arch.family, group)
  }
  return [...groups.values()]
}

/** The size the wizard picks when a family is chosen: the first available one. */
export function defaultSize(group: FamilyGroup): Architecture | null {
  return group.architectures.find((a) => a.available) ?? null
}

export type EnvState = 'builtin' | 'missing' | 'installing' | 'ready' | 'failed'

/** Where a family's trainer environment stands (families without an entry are built in). */
export function envState(env: TrainerEnv | undefined): EnvState {
  if (!env) return 'builtin'
  const job = env.install_job
  if (job && (job.status === 'queued' || job.status === 'running')) return 'installing'
  if (env.installed) return env.separate_env ? 'ready' : 'builtin'
  if (job?.status === 'failed') return 'failed'
  return 'missing'
}
