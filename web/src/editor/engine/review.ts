/**
 * AI predictions under review. A prediction (source "ai", review state "pending") is shown while
 * its confidence reaches the threshold; a rejected one is kept in the document (so the stats stay
 * true) but never drawn. Accepting or rejecting is an ordinary, undoable edit of `reviewState`.
 */
import type { Editor } from './editor'
import { Emitter } from './emitter'
import { UpdateCommand } from './history'
import type { Annotation } from './types'

export type ReviewVerdict = 'accepted' | 'rejected'

export interface ReviewChange {
  threshold: number
  /** Keys that were shown and are now hidden, or the other way round. */
  keys: readonly string[]
}

/** An AI box nobody has accepted or rejected yet. */
export function isPrediction(a: Annotation): boolean {
  return a.source === 'ai' && a.reviewState === 'pending'
}

/** Whether the review hides `a`: rejected, or a prediction below the threshold. */
export function hiddenByReview(a: Annotation, threshold: number): boolean {
  if (a.reviewState === 'rejected') return true
  return isPrediction(a) && (a.confidence ?? 1) < threshold
}

/** Most confident first; ties in reading order, so the order is stable. */
function byConfidence(a: Annotation, b: Annotation): number {
  return (b.confidence ?? 1) - (a.confidence ?? 1) || a.y1 - b.y1 || a.x1 - b.x1 || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
}

/** The predictions shown at `threshold`, most confident first. */
export function shownPredictions(items: readonly Annotation[], threshold: number): Annotation[] {
  return items.filter((a) => isPrediction(a) && (a.confidence ?? 1) >= threshold).sort(byConfidence)
}

/** One undoable step that sets the verdict on every prediction in `items` (others are left alone). */
export function reviewCommand(items: readonly Annotation[], verdict: ReviewVerdict): UpdateCommand {
  const predictions = items.filter(isPrediction)
  const verb = verdict === 'accepted' ? 'Accept' : 'Reject'
  const label = predictions.length === 1 ? `${verb} prediction` : `${verb} ${predictions.length} predictions`
  return UpdateCommand.fromAnnotations(label, predictions, () => ({ reviewState: verdict }))
}

/** The set of keys the review hides, kept current as the document and the threshold change. */
export class ReviewFilter {
  readonly events = new Emitter<{ change: ReviewChange }>()
  private value = 0
  private readonly keys = new Set<string>()

  get threshold(): number {
    return this.value
  }

  get hidden(): ReadonlySet<string> {
    return this.keys
  }

  isHidden(key: string): boolean {
    return this.keys.has(key)
  }

  /** Forget everything (another image was opened) and look at `items` afresh. */
  reset(items: readonly Annotation[]): void {
    this.keys.clear()
    for (const a of items) if (hiddenByReview(a, this.value)) this.keys.add(a.key)
  }

  /** A new threshold: only the shown set changes, nothing in the document (no re-run, no save). */
  setThreshold(items: readonly Annotation[], threshold: number): string[] {
    const next = Math.min(1, Math.max(0, threshold))
    if (next === this.value) return []
    this.value = next
    const changed: string[] = []
    for (const a of items) if (this.apply(a.key, a)) changed.push(a.key)
    this.events.emit('change', { threshold: next, keys: changed })
    return changed
  }

  /** Re-check the keys an edit touched; `get` returns the current annotation or undefined when removed. */
  refresh(keys: readonly string[], get: (key: string) => Annotation | undefined): string[] {
    const changed = keys.filter((key) => this.apply(key, get(key)))
    if (changed.length > 0) this.events.emit('change', { threshold: this.value, keys: changed })
    return changed
  }

  /** Whether `key` moved in or out of the hidden set. */
  private apply(key: string, a: Annotation | undefined): boolean {
    const hide = a !== undefined && hiddenByReview(a, this.value)
    if (hide === this.keys.has(key)) return false
    if (hide) this.keys.add(key)
    else this.keys.delete(key)
    return true
  }
}

/** The predictions a person can act on now: shown at the threshold, not hidden or locked, most confident first. */
export function reviewable(editor: Editor): Annotation[] {
  return shownPredictions(editor.doc.all(), editor.review.threshold).filter((a) => editor.visibility.isEditable(a.key))
}

/**
 * A / R: accept or reject the selected predictions as one undoable step, then select the next
 * prediction still waiting (so a person can review with two keys). Returns how many changed.
 */
export function reviewSelection(editor: Editor, verdict: ReviewVerdict): number {
  const chosen = editor.selectedKeys.map((k) => editor.doc.get(k)).filter((a): a is Annotation => a !== undefined && isPrediction(a))
  if (chosen.length === 0) return 0
  const queue = reviewable(editor)
  const last = Math.max(...chosen.map((a) => queue.indexOf(a)))
  const done = new Set(chosen.map((a) => a.key))
  const next = queue.slice(last + 1).find((a) => !done.has(a.key)) ?? queue.find((a) => !done.has(a.key))
  editor.execute(reviewCommand(chosen, verdict))
  editor.select(next ? [next.key] : [])
  if (next) editor.reveal(next.key)
  return chosen.length
}

/** Shift+A / Shift+R: every prediction shown at the threshold, as one undoable step. */
export function reviewShown(editor: Editor, verdict: ReviewVerdict): number {
  const items = reviewable(editor)
  if (items.length === 0) return 0
  editor.execute(reviewCommand(items, verdict))
  return items.length
}

/** N / Shift+N: select the next (or previous) prediction shown, most confident first, and bring it into view. */
export function selectNextPrediction(editor: Editor, step: 1 | -1): string | null {
  const queue = reviewable(editor)
  if (queue.length === 0) return null
  const current = editor.selectedKeys.length === 1 ? queue.findIndex((a) => a.key === editor.selectedKeys[0]) : -1
  const index = current < 0 ? (step === 1 ? 0 : queue.length - 1) : (current + step + queue.length) % queue.length
  const next = queue[index]
  if (!next) return null
  editor.select([next.key])
  editor.reveal(next.key)
  return next.key
}
