const HINTS = [
  ['1–5', 'pick'],
  ['R', 'reject'],
  ['← →', 'move'],
  ['/', 'search'],
] as const

/** The queue's keys, always in sight. */
export function KeyHints() {
  return (
    <p className="flex flex-wrap items-center gap-3 text-xs text-muted-foreground" data-testid="key-hints">
      {HINTS.map(([key, what]) => (
        <span key={key} className="inline-flex items-center gap-1">
          <kbd className="rounded border bg-muted px-1.5 py-0.5 font-mono text-[11px] text-foreground">{key}</kbd> {what}
        </span>
      ))}
    </p>
  )
}
