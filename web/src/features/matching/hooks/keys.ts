/**
 * The matching queue's keyboard, without React: which key does what (1–5 pick a candidate, R rejects,
 * arrows move, "/" searches), when keys are left alone (typing in a field, a dialog open, a modifier
 * held), and where the cursor lands as items leave the queue.
 */
import type { MatchCandidate } from '@/lib/api'

export const MAX_PICK_KEY = 5

export type MatchAction = { type: 'pick'; rank: number } | { type: 'reject' } | { type: 'move'; delta: 1 | -1 } | { type: 'search' }

export interface KeyLike {
  key: string
  altKey: boolean
  ctrlKey: boolean
  metaKey: boolean
  target: EventTarget | null
}

const MOVES: Record<string, 1 | -1> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, j: 1, k: -1 }

function within(target: EventTarget | null, selector: string): boolean {
  return typeof Element !== 'undefined' && target instanceof Element && target.closest(selector) !== null
}

/** True when the key belongs to a field the person is typing in. */
export function isTypingTarget(target: EventTarget | null): boolean {
  return within(target, 'input, textarea, select, [contenteditable=""], [contenteditable="true"]')
}

/** True when the focused widget moves with the arrows itself (tabs, menus, lists, radio groups). */
export function ownsArrows(target: EventTarget | null): boolean {
  return within(target, '[role="listbox"], [role="menu"], [role="combobox"], [role="tablist"], [role="radiogroup"], [role="slider"]')
}

/** The action a key press asks for, or null when the queue should ignore it. */
export function matchAction(event: KeyLike, { dialogOpen = false }: { dialogOpen?: boolean } = {}): MatchAction | null {
  if (dialogOpen || event.altKey || event.ctrlKey || event.metaKey || isTypingTarget(event.target)) return null
  if (/^[1-9]$/.test(event.key)) {
    const rank = Number(event.key)
    return rank <= MAX_PICK_KEY ? { type: 'pick', rank } : null
  }
  if (event.key === 'r' || event.key === 'R') return { type: 'reject' }
  if (event.key === '/') return { type: 'search' }
  const delta = MOVES[event.key]
  return delta && !ownsArrows(event.target) ? { type: 'move', delta } : null
}

/** The candidate a number key picks: the one of that rank, else the one in that position. */
export function candidateOfRank(candidates: readonly MatchCandidate[], rank: number): MatchCandidate | null {
  return candidates.find((c) => c.rank === rank) ?? candidates[rank - 1] ?? null
}

/** Move the cursor, staying inside the queue. */
export function moveIndex(index: number, delta: number, length: number): number {
  if (length <= 0) return 0
  return Math.min(length - 1, Math.max(0, index + delta))
}

/** The queue as shown: what the server listed, less what was just confirmed or rejected here. */
export function visibleItems<T extends { cutout: { id: number } }>(items: readonly T[], done: ReadonlySet<number>): T[] {
  return items.filter((item) => !done.has(item.cutout.id))
}

/**
 * Where the cursor goes when the item under it leaves: the next one slides into its place, so the
 * index stays, unless it was the last.
 */
export function indexAfterLeaving(index: number, lengthAfter: number): number {
  return lengthAfter <= 0 ? 0 : Math.min(index, lengthAfter - 1)
}

/** Cosine similarity as the threshold control takes it: three decimals ("0.934"). */
export function similarityText(similarity: number): string {
  return similarity.toFixed(3)
}

/** A threshold typed or slid: a number from 0 to 1, else null. */
export function parseThreshold(text: string): number | null {
  const n = Number(text)
  return text.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : null
}
