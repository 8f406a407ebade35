/** A readable name for a job kind ("od.imports.run" → "Import"), with the file or dataset it works on. */
const KNOWN_KINDS: Record<string, string> = {
  'od.images.verify': 'Verify storage',
  'od.images.sync': 'Sync images',
  'od.images.import_url': 'URL import',
  'od.images.build_thumbnails': 'Thumbnails',
  'od.imports.run': 'Import',
  'od.exports.run': 'Export',
  'od.versions.build': 'Build version',
  'system.ping': 'Ping',
  'ml.models.fetch': 'Model download',
}

// Kinds read <domain>.<feature>.<verb>: the domain says nothing to a user, "run" neither.
const DOMAINS = new Set(['od', 'pr', 'ml', 'system'])

export function jobKindLabel(kind: string): string {
  if (KNOWN_KINDS[kind]) return KNOWN_KINDS[kind]
  const parts = kind.split(/[._-]+/).filter(Boolean)
  if (parts.length > 1 && DOMAINS.has(parts[0])) parts.shift()
  if (parts.length > 1 && parts[parts.length - 1] === 'run') parts.pop()
  const words = parts.join(' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The job's kind in words, and below it the file or dataset (the raw kind is the tooltip). */
export function JobKind({ kind, label }: { kind: string; label?: string | null }) {
  return (
    <span className="flex min-w-0 flex-col leading-tight" title={kind}>
      <span className="font-medium">{jobKindLabel(kind)}</span>
      {label ? (
        <span className="max-w-72 truncate text-xs text-muted-foreground" data-testid="job-label">
          {label}
        </span>
      ) : null}
    </span>
  )
}
