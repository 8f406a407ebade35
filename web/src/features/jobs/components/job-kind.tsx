/** A readable name for a job kind ("od.images.verify" → "Verify storage"). */
const KNOWN_KINDS: Record<string, string> = {
  'od.images.verify': 'Verify storage',
  'od.images.sync': 'Sync images',
  'od.images.import_url': 'Import from URLs',
  'od.imports.run': 'Import dataset',
  'od.exports.run': 'Export dataset',
  'od.versions.build': 'Build version',
  'system.ping': 'Ping',
}

export function jobKindLabel(kind: string): string {
  if (KNOWN_KINDS[kind]) return KNOWN_KINDS[kind]
  const words = kind.replace(/[._-]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export function JobKind({ kind }: { kind: string }) {
  return (
    <span className="flex flex-col leading-tight">
      <span className="font-medium">{jobKindLabel(kind)}</span>
      <span className="font-mono text-[11px] text-muted-foreground">{kind}</span>
    </span>
  )
}
