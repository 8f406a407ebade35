/** The resume dialog's arithmetic: which checkpoint, and how many epochs are left from it. */
import type { PrCheckpoint } from '@/lib/api'

/** The checkpoint a resume starts from when none is picked: the latest epoch. */
export function latestCheckpoint(checkpoints: readonly PrCheckpoint[]): PrCheckpoint | null {
  return checkpoints.reduce<PrCheckpoint | null>((best, c) => (best === null || c.epoch > best.epoch ? c : best), null)
}

/** Epochs still to train: the new total (or the run's) minus the checkpoint's epoch, never below 0. */
export function remainingEpochs(totalEpochs: number, checkpointEpoch: number | null, newTotal: string): number {
  const total = newTotal.trim() === '' ? totalEpochs : Number(newTotal)
  if (!Number.isFinite(total)) return 0
  return Math.max(0, Math.floor(total) - (checkpointEpoch ?? 0))
}

/** A problem with the new total of epochs, or null (empty keeps the run's total). */
export function newTotalError(newTotal: string, checkpointEpoch: number | null): string | null {
  if (newTotal.trim() === '') return null
  const value = Number(newTotal)
  if (!Number.isInteger(value) || value < 1 || value > 1000) return 'A whole number from 1 to 1000.'
  if (checkpointEpoch !== null && value <= checkpointEpoch) return `More than the checkpoint's ${checkpointEpoch} epochs.`
  return null
}
