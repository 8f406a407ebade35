/** Shape a run's metrics for the Recharts line charts, and the few run figures the pages print. */
import type { EpochRow, StepRow, TrainingRun } from '@/lib/api'

export interface EpochPoint {
  epoch: number
  train_loss: number | null
  val_loss: number | null
  map50: number | null
  map50_95: number | null
}

export interface StepPoint {
  /** Fractional epoch (epoch - 1 + step position within it), so steps and epochs share an axis. */
  x: number
  loss: number
}

/** One point per epoch, ordered, the last row kept when an epoch was reported twice (a resumed run). */
export function epochPoints(rows: readonly EpochRow[]): EpochPoint[] {
  const byEpoch = new Map<number, EpochPoint>()
  for (const row of rows) {
    byEpoch.set(row.epoch, {
      epoch: row.epoch,
      train_loss: finite(row.train_loss),
      val_loss: finite(row.val_loss),
      map50: finite(row.map50),
      map50_95: finite(row.map50_95),
    })
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch)
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/**
 * Per-step loss on a fractional-epoch axis, averaged into at most `maxPoints` buckets so a long run
 * stays a readable line (and a cheap render).
 */
export function stepPoints(steps: readonly StepRow[], maxPoints = 400): StepPoint[] {
  const valid = steps.filter((s): s is StepRow & { loss: number } => typeof s.loss === 'number' && Number.isFinite(s.loss))
  if (valid.length === 0) return []
  const toX = stepAxis(valid)
  const points = valid.map((s) => ({ x: toX(s), loss: s.loss })).sort((a, b) => a.x - b.x)
  if (points.length <= maxPoints) return points.map((p) => ({ x: round(p.x), loss: p.loss }))
  const size = Math.ceil(points.length / maxPoints)
  const out: StepPoint[] = []
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size)
    const x = bucket.reduce((sum, p) => sum + p.x, 0) / bucket.length
    const loss = bucket.reduce((sum, p) => sum + p.loss, 0) / bucket.length
    out.push({ x: round(x), loss })
  }
  return out
}

/**
 * Step (1-based) → fractional epoch, whether steps count across the run (what the API sends) or
 * restart each epoch. Counted across the run, a later epoch's steps pass the first epoch's last one,
 * and that first epoch (complete, since a later one began) gives the steps per epoch. While only one
 * epoch has steps the two readings agree, and its last step so far stands for the epoch's end.
 */
export function stepAxis(steps: readonly Pick<StepRow, 'epoch' | 'step'>[]): (s: Pick<StepRow, 'epoch' | 'step'>) => number {
  const lastStep = new Map<number, number>()
  for (const s of steps) lastStep.set(s.epoch, Math.max(lastStep.get(s.epoch) ?? 0, s.step))
  const epochs = [...lastStep.keys()].sort((a, b) => a - b)
  const first = epochs[0] ?? 1
  const firstLast = lastStep.get(first) ?? 1
  const acrossRun = epochs.some((e) => e > first && (lastStep.get(e) ?? 0) > firstLast)
  if (acrossRun) {
    const perEpoch = firstLast / first
    return (s) => s.step / perEpoch
  }
  const perEpoch = Math.max(1, ...lastStep.values())
  return (s) => s.epoch - 1 + s.step / perEpoch
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

/** Whether a series has any value to draw (a chart with only gaps says "no data yet" instead). */
export function hasValues<T>(points: readonly T[], keys: readonly (keyof T)[]): boolean {
  return points.some((p) => keys.some((k) => typeof p[k] === 'number'))
}

/** "1h 4m", "3m 20s", "45s"; null when unknown. */
export function formatEta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return null
  if (seconds < 1) return 'under a second'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return `${minutes}m ${s % 60}s`
  const hours = Math.floor(minutes / 60)
  return `${hours}h ${minutes % 60}m`
}

/** A metric in 0..1 as the table shows it ("0.734"), or a dash. */
export function formatMetric(value: number | null | undefined, digits = 3): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—'
}

/** "Epoch 3 / 50", or what the run is doing before the first epoch. */
export function epochLabel(run: Pick<TrainingRun, 'status' | 'current_epoch' | 'total_epochs'>): string {
  if (run.status === 'queued') return 'Waiting for a worker'
  if (run.current_epoch <= 0 && run.status === 'running') return `Preparing · ${run.total_epochs} epochs`
  return `Epoch ${run.current_epoch} / ${run.total_epochs}`
}

/** "Shelves v3", or what is left once the dataset was deleted. */
export function datasetLabel(run: Pick<TrainingRun, 'dataset_name' | 'version_number'>): string {
  return `${run.dataset_name ?? 'Deleted dataset'}${run.version_number !== null ? ` v${run.version_number}` : ''}`
}
