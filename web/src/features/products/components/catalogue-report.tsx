/** A catalogue import job while it runs, then what it created or the rows and files that stopped it. */
import { AlertTriangleIcon, CheckCircle2Icon } from 'lucide-react'
import { JobHeader, JobProgress } from '@/features/jobs'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { ApiError, errorMessage, isActiveJob, type CatalogueImportResult, type Job } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { catalogueResultOf, issueWhere } from '../hooks/catalogue'

function Counts({ result }: { result: CatalogueImportResult }) {
  const items: [string, number][] = [
    ['products created', result.products_created],
    ['products updated', result.products_updated],
    ['products skipped', result.products_skipped ?? 0],
    ['images stored', result.images_stored],
    ['duplicate images', result.images_duplicate],
  ]
  return (
    <dl className="grid grid-cols-2 gap-2 sm:grid-cols-5" data-testid="catalogue-counts">
      {items.map(([label, value]) => (
        <div key={label} className="rounded-md border bg-muted/30 px-3 py-2">
          <dt className="text-xs text-muted-foreground">{label}</dt>
          <dd className="text-lg font-semibold tabular-nums" data-testid={`catalogue-${label.replaceAll(' ', '-')}`}>
            {formatCount(value)}
          </dd>
        </div>
      ))}
    </dl>
  )
}

function Issues({ result }: { result: CatalogueImportResult }) {
  if (result.issues.length === 0) return null
  return (
    <div className="max-h-64 overflow-auto rounded-md border" data-testid="catalogue-issues">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Where</TableHead>
            <TableHead>Problem</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {result.issues.map((issue, i) => (
            <TableRow key={i} data-testid="catalogue-issue">
              <TableCell className="font-mono text-xs">{issueWhere(issue)}</TableCell>
              <TableCell className="text-sm whitespace-normal">{issue.detail}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}

export function CatalogueJob({ job }: { job: Job }) {
  const result = catalogueResultOf(job)
  const active = isActiveJob(job)
  return (
    <div className="flex flex-col gap-3" data-testid="catalogue-job" data-status={job.status}>
      <JobHeader job={job} label="Catalogue import" />
      {active ? <JobProgress job={job} /> : null}
      {!active && job.status === 'succeeded' ? (
        <p className="flex items-center gap-2 text-sm text-emerald-700">
          <CheckCircle2Icon className="size-4" aria-hidden /> Imported.
        </p>
      ) : null}
      {!active && job.status !== 'succeeded' ? (
        <p className="flex items-start gap-2 text-sm text-destructive" data-testid="catalogue-failed">
          <AlertTriangleIcon className="mt-0.5 size-4 shrink-0" aria-hidden />
          {result && result.issues.length > 0
            ? `Nothing was imported: fix these ${formatCount(result.issues.length)} problems and import again.`
            : (job.error ?? 'The import did not finish.')}
        </p>
      ) : null}
      {result && job.status === 'succeeded' ? <Counts result={result} /> : null}
      {result ? <Issues result={result} /> : null}
    </div>
  )
}

/** A refusal before any job started (bad header, encoding, not a CSV): the server's sentence and where. */
export function CatalogueRefusal({ error }: { error: unknown }) {
  const body = error instanceof ApiError ? error.body : null
  const where = [body?.field, typeof body?.line === 'number' ? `line ${body.line}` : null, body?.file].filter((v) => typeof v === 'string' && v !== '').join(' · ')
  return (
    <div role="alert" className="flex items-start gap-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm" data-testid="catalogue-refused">
      <AlertTriangleIcon className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="flex min-w-0 flex-col gap-1">
        <p className="font-medium text-destructive">The catalogue was refused</p>
        <p className="break-words text-red-900">{errorMessage(error)}</p>
        {where ? <p className="font-mono text-xs text-red-900">{where}</p> : null}
        <p className="text-xs text-red-900/80">Nothing was stored.</p>
      </div>
    </div>
  )
}
