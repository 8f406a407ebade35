/**
 * The catalogue import form's logic, without React: the columns a CSV or JSON catalogue has, the
 * product field each one feeds, the zip's folder → domain map, and the report a finished job holds.
 */
import { isRecord, PRODUCT_DOMAINS, type CatalogueImportResult, type CatalogueIssue, type Job, type ProductDomain } from '@/lib/api'

/** The product fields a catalogue column can feed, the first two required. */
export const CATALOGUE_FIELDS = ['sku', 'name', 'barcode', 'brand', 'category', 'status', 'attributes', 'image_urls', 'image_domain'] as const
export type CatalogueField = (typeof CATALOGUE_FIELDS)[number]
export const REQUIRED_FIELDS: readonly CatalogueField[] = ['sku', 'name']

/** Split one CSV line into cells (RFC 4180 quotes, "" for a quote inside one). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      cells.push(cell)
      cell = ''
    } else cell += ch
  }
  cells.push(cell)
  return cells.map((c) => c.trim())
}

/** The header of a CSV's text (first line, without a UTF-8 byte-order mark); empty names dropped. */
export function csvHeader(text: string): string[] {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  return splitCsvLine(first).filter((c) => c !== '')
}

/** The keys of a JSON catalogue's products (an array, or an object with a `products` array), in first-seen order. */
export function jsonColumns(text: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch {
    return []
  }
  const rows = Array.isArray(parsed) ? parsed : isRecord(parsed) && Array.isArray(parsed.products) ? parsed.products : []
  const seen = new Set<string>()
  for (const row of rows.slice(0, 50)) if (isRecord(row)) for (const key of Object.keys(row)) seen.add(key)
  return [...seen]
}

export function isJsonCatalogue(file: Pick<File, 'name' | 'type'>): boolean {
  return /\.json$/i.test(file.name) || file.type === 'application/json'
}

/** The column each field reads by default: the one of the same name, in any case. */
export function defaultColumns(columns: readonly string[]): Partial<Record<CatalogueField, string>> {
  const out: Partial<Record<CatalogueField, string>> = {}
  for (const field of CATALOGUE_FIELDS) {
    const match = columns.find((c) => c.toLowerCase() === field)
    if (match) out[field] = match
  }
  return out
}

/** The `columns` form field: only the fields read from a column of another name. */
export function columnsMapping(chosen: Partial<Record<CatalogueField, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const field of CATALOGUE_FIELDS) {
    const column = chosen[field]?.trim()
    if (column && column !== field) out[field] = column
  }
  return out
}

/** Required fields that no column feeds (only known once the header has been read). */
export function missingFields(columns: readonly string[], chosen: Partial<Record<CatalogueField, string>>): CatalogueField[] {
  if (columns.length === 0) return []
  return REQUIRED_FIELDS.filter((f) => !chosen[f] || !columns.includes(chosen[f] ?? ''))
}

export interface DomainRow {
  folder: string
  domain: ProductDomain
}

/** The `domain_map` form field from the editor's rows, or the sentence saying what is wrong with them. */
export function domainMapOf(rows: readonly DomainRow[]): { map: Record<string, ProductDomain>; error: string | null } {
  const map: Record<string, ProductDomain> = {}
  for (const row of rows) {
    const folder = row.folder.trim()
    if (!folder) continue
    if (folder.includes('/')) return { map, error: `"${folder}" is a path; give one folder name.` }
    if (folder in map) return { map, error: `The folder "${folder}" is mapped twice.` }
    map[folder] = row.domain
  }
  return { map, error: null }
}

export function isDomain(value: string): value is ProductDomain {
  return (PRODUCT_DOMAINS as readonly string[]).includes(value)
}

function numberOf(record: Record<string, unknown>, key: string): number {
  const v = record[key]
  return typeof v === 'number' ? v : 0
}

function issuesOf(value: unknown): CatalogueIssue[] {
  if (!Array.isArray(value)) return []
  return value.filter(isRecord).map((i) => ({
    row: typeof i.row === 'number' ? i.row : null,
    line: typeof i.line === 'number' ? i.line : null,
    field: typeof i.field === 'string' ? i.field : null,
    file: typeof i.file === 'string' ? i.file : null,
    detail: typeof i.detail === 'string' ? i.detail : typeof i.message === 'string' ? i.message : JSON.stringify(i),
  }))
}

/** The import's report, from a finished job's result (also when it failed and stored nothing). */
export function catalogueResultOf(job: Pick<Job, 'result'>): CatalogueImportResult | null {
  const result = job.result
  if (!isRecord(result)) return null
  const report = isRecord(result.report) ? result.report : result
  const issues = issuesOf(report.issues)
  if (!('products_created' in report) && issues.length === 0) return null
  return {
    products_created: numberOf(report, 'products_created'),
    products_updated: numberOf(report, 'products_updated'),
    products_skipped: numberOf(report, 'products_skipped'),
    images_stored: numberOf(report, 'images_stored'),
    images_duplicate: numberOf(report, 'images_duplicate'),
    issues,
  }
}

/** Where an issue is: "row 12 · barcode", "file a/studio/x.jpg", "line 3". */
export function issueWhere(issue: CatalogueIssue): string {
  const parts: string[] = []
  if (issue.row !== null && issue.row !== undefined) parts.push(`row ${issue.row}`)
  if (issue.line !== null && issue.line !== undefined) parts.push(`line ${issue.line}`)
  if (issue.file) parts.push(`file ${issue.file}`)
  if (issue.field) parts.push(issue.field)
  return parts.join(' · ') || '—'
}
