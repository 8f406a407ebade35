/**
 * What the review numbers say about a model: the share of its reviewed predictions accepted as they
 * were, accepted after an edit, and rejected, and one plain sentence on whether it saves time.
 * A box drawn by hand takes about 35 s; a prediction kept as it is costs a glance and a key, an edited
 * one most of the drawing time, a rejected one a little time for nothing.
 */
import type { ReviewModelStats } from '@/lib/api'

export interface ModelShares {
  reviewed: number
  asIs: number
  afterEdit: number
  rejected: number
}

/** Below this many reviewed predictions the shares say little. */
export const FEW_REVIEWED = 20

export function sharesOf(stats: ReviewModelStats): ModelShares {
  const reviewed = stats.accepted_as_is + stats.accepted_after_edit + stats.rejected
  const share = (n: number) => (reviewed === 0 ? 0 : n / reviewed)
  return { reviewed, asIs: share(stats.accepted_as_is), afterEdit: share(stats.accepted_after_edit), rejected: share(stats.rejected) }
}

const pct = (fraction: number) => `${Math.round(fraction * 100)}%`

export type Verdict = 'none' | 'saving' | 'some' | 'not'

export function verdictOf(stats: ReviewModelStats): Verdict {
  const s = sharesOf(stats)
  if (s.reviewed === 0) return 'none'
  if (s.asIs >= 0.5) return 'saving'
  if (s.asIs + s.afterEdit >= 0.5) return 'some'
  return 'not'
}

/** One sentence a team lead can act on. */
export function savingSentence(stats: ReviewModelStats, title: string = stats.model): string {
  const s = sharesOf(stats)
  const few = s.reviewed < FEW_REVIEWED ? ` (only ${s.reviewed} reviewed so far, so this may still change)` : ''
  switch (verdictOf(stats)) {
    case 'none':
      return `No prediction of ${title} has been reviewed yet.`
    case 'saving':
      return `AI is saving time: ${pct(s.asIs)} of ${title}'s predictions were kept exactly as they were${few}.`
    case 'some':
      return `AI is saving a little time: ${pct(s.asIs + s.afterEdit)} of ${title}'s predictions were kept, but ${pct(s.afterEdit)} needed an edit first${few}.`
    case 'not':
      return `AI is not saving time yet: ${pct(s.rejected)} of ${title}'s predictions were rejected. Try other prompts, a higher threshold or another model${few}.`
  }
}
