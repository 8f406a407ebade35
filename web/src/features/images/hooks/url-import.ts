import type { BatchResult, Job } from '@/lib/api'

/** The URLs typed into the import box: one per line (a URL may contain spaces); blank lines are skipped. */
export function parseUrlLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
}

/** The per-URL results a URL import job stored as its result, or null while it has none. */
export function urlImportResultOf(job: Pick<Job, 'result'>): BatchResult | null {
  const result = job.result
  if (!result || !Array.isArray(result.results)) return null
  const counts = [result.stored, result.duplicate, result.rejected]
  if (!counts.every((n) => typeof n === 'number')) return null
  return result as unknown as BatchResult
}
