import { AlertTriangleIcon, CheckCircle2Icon, XCircleIcon } from 'lucide-react'
import { Link } from 'react-router'
import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { ImportIssue, ImportReport } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'

const SPLIT_ORDER = ['train', 'val', 'test', 'none']

function Stat({ label, value, testId, tone }: { label: string; value: number; testId: string; tone?: 'bad' | 'warn' }) {
  return (
    <div className="rounded-md border bg-muted/30 px-3 py-2">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd
        className={cn(
          'text-lg font-semibold tabular-nums',
          value > 0 && tone === 'bad' && 'text-destructive',
          value > 0 && tone === 'warn' && 'text-amber-700',
        )}
        data-testid={testId}
      >
        {formatCount(value)}
      </dd>
    </div>
  )
}

function NameList({ label, names, testId }: { label: string; names: string[]; testId: string }) {
  if (names.length === 0) return null
  return (
    <div className="flex flex-wrap items-center gap-1.5 text-sm" data-testid={testId}>
      <span className="text-muted-foreground">{label}:</span>
      {names.map((name) => (
        <Badge key={name} variant="outline">
          {name}
        </Badge>
      ))}
    </div>
  )
}

function sortedEntries(record: Record<string, number>, order: string[] = []): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => {
    const ia = order.indexOf(a)
    const ib = order.indexOf(b)
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib)
    return a.localeCompare(b)
  })
}

function ReportHeader({ report }: { report: ImportReport }) {
  const imported = report.outcome === 'imported'
  return (
    <header className="flex flex-wrap items-center gap-2">
      {imported ? (
        <Badge variant="success" data-testid="import-outcome">
          <CheckCircle2Icon aria-hidden /> Imported
        </Badge>
      ) : (
        <Badge variant="destructive" data-testid="import-outcome">
          <XCircleIcon aria-hidden /> Rejected
        </Badge>
      )}
      <span className="text-sm">
        {report.format.toUpperCase()} · {report.source}
        {report.dataset_id !== null && imported ? (
          <>
            {' → '}
            <Link to={`/od/datasets/${report.dataset_id}`} className="font-medium text-primary hover:underline" data-testid="import-dataset-link">
              {report.dataset_name ?? `dataset #${report.dataset_id}`}
            </Link>
            {report.dataset_created ? <span className="text-muted-foreground"> (new)</span> : null}
          </>
        ) : null}
      </span>
      <span className="ml-auto text-xs text-muted-foreground tabular-nums">{report.seconds.toFixed(1)} s</span>
    </header>
  )
}

function CountSections({ images, annotations }: Pick<ImportReport, 'images' | 'annotations'>) {
  return (
    <>
      <div className="flex flex-col gap-2">
        <h4 className="text-xs font-medium tracking-wide text-muted-foreground uppercase">Images</h4>
        <dl className="grid grid-cols-3 gap-2 sm:grid-cols-7">
          <Stat label="Listed" value={images.listed} testId="report-images-listed" />
          <Stat label="Stored (new)" value={images.stored} testId="report-images-stored" />
          <Stat label="Reused" value={images.reused} testId="report-images-reused" />
          <Stat label="Merged (same bytes)" value={images.merged} testId="report-images-merged" />
          <Stat label="Added to dataset" value={images.added_to_dataset} testId="report-images-added" />
          <Stat label="Already in dataset" value={images.already_in_dataset} testId="report-images-already" />
          <Stat label="Skipped" value={images.skipped} testId="report-images-skipped" tone="bad" />
        </dl>
      </div>
      <div className="flex flex-col gap-2">
        <h4 className="text-xs font-medium tracking-wide text-muted-foreground uppercase">Annotations</h4>
        <dl className="grid grid-cols-3 gap-2 sm:grid-cols-7">
          <Stat label="Read" value={annotations.read} testId="report-annotations-read" />
          <Stat label="Imported" value={annotations.imported} testId="report-annotations-imported" />
          <Stat label="Skipped" value={annotations.skipped} testId="report-annotations-skipped" tone="bad" />
          <Stat label="Duplicates" value={annotations.duplicates} testId="report-annotations-duplicates" />
          <Stat label="Clipped" value={annotations.clipped} testId="report-annotations-clipped" tone="warn" />
          <Stat label="Rescaled" value={annotations.rescaled} testId="report-annotations-rescaled" tone="warn" />
        </dl>
      </div>
    </>
  )
}

function ClassesSection({ classes }: Pick<ImportReport, 'classes'>) {
  return (
    <div className="flex flex-col gap-1.5">
      <h4 className="text-xs font-medium tracking-wide text-muted-foreground uppercase">Classes</h4>
      <NameList label="Matched" names={classes.matched} testId="report-classes-matched" />
      <NameList label="Created" names={classes.created} testId="report-classes-created" />
      {classes.matched_by_alias.length > 0 ? (
        <div className="flex flex-wrap items-center gap-1.5 text-sm" data-testid="report-classes-alias">
          <span className="text-muted-foreground">By alias:</span>
          {classes.matched_by_alias.map((m) => (
            <Badge key={m.label} variant="outline">
              {m.label} → {m.class_name}
            </Badge>
          ))}
        </div>
      ) : null}
      <NameList label="Unused labels" names={classes.unused} testId="report-classes-unused" />
      {classes.matched.length + classes.created.length + classes.matched_by_alias.length === 0 ? (
        <p className="text-sm text-muted-foreground">No classes used.</p>
      ) : null}
    </div>
  )
}

function SplitsSection({ report }: { report: ImportReport }) {
  const splits = sortedEntries(report.splits, SPLIT_ORDER)
  const dropped = sortedEntries(report.dropped)
  return (
    <div className="flex flex-col gap-1.5">
      <h4 className="text-xs font-medium tracking-wide text-muted-foreground uppercase">Splits in the dataset</h4>
      {splits.length === 0 ? (
        <p className="text-sm text-muted-foreground">None recorded.</p>
      ) : (
        <div className="flex flex-wrap gap-1.5" data-testid="report-splits">
          {splits.map(([split, count]) => (
            <Badge key={split} variant="secondary" data-split={split}>
              {split === 'none' ? 'no split' : split}: {formatCount(count)}
            </Badge>
          ))}
        </div>
      )}
      {dropped.length > 0 ? (
        <p className="text-xs text-muted-foreground" data-testid="report-dropped">
          Not kept: {dropped.map(([what, n]) => `${formatCount(n)} ${what}`).join(', ')}
        </p>
      ) : null}
    </div>
  )
}

function IssuesTable({ issues }: { issues: ImportIssue[] }) {
  return (
    <div className="max-h-64 max-w-full overflow-auto rounded-md border">
      <Table aria-label="Import issues" data-testid="report-issues">
        <TableHeader className="sticky top-0 bg-muted">
          <TableRow className="hover:bg-transparent">
            <TableHead>Severity</TableHead>
            <TableHead>Kind</TableHead>
            <TableHead>Message</TableHead>
            <TableHead>File</TableHead>
            <TableHead className="text-right">Line</TableHead>
            <TableHead>Field</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {issues.map((issue, i) => (
            <TableRow key={i} data-testid="report-issue" data-severity={issue.severity}>
              <TableCell>
                <Badge variant={issue.severity === 'invalid' ? 'destructive' : 'warning'}>
                  {issue.severity === 'invalid' ? <XCircleIcon aria-hidden /> : <AlertTriangleIcon aria-hidden />}
                  {issue.severity}
                </Badge>
              </TableCell>
              <TableCell className="font-mono text-xs">{issue.kind}</TableCell>
              <TableCell className="min-w-56 text-xs whitespace-normal [overflow-wrap:anywhere]" data-testid="report-issue-message">
                {issue.message}
              </TableCell>
              <TableCell className="max-w-56 truncate font-mono text-xs" title={issue.file ?? undefined}>
                {issue.file ?? '—'}
              </TableCell>
              <TableCell className="text-right text-xs tabular-nums">{issue.line ?? '—'}</TableCell>
              <TableCell className="font-mono text-xs">{issue.field ?? '—'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}

function IssuesSection({ report }: { report: ImportReport }) {
  return (
    <div className="flex flex-col gap-2">
      <h4 className="flex items-center gap-2 text-xs font-medium tracking-wide text-muted-foreground uppercase">
        Issues
        {Object.entries(report.issue_counts).map(([kind, n]) => (
          <Badge key={kind} variant="outline" className="normal-case">
            {kind}: {formatCount(n)}
          </Badge>
        ))}
      </h4>
      {report.issues.length === 0 ? (
        <p className="text-sm text-muted-foreground" data-testid="report-no-issues">
          No issues.
        </p>
      ) : (
        <IssuesTable issues={report.issues} />
      )}
      {report.issues_truncated ? (
        <p className="text-xs text-muted-foreground">Only the first {formatCount(report.issues.length)} issues are listed.</p>
      ) : null}
    </div>
  )
}

/** What an import did: counts, classes, splits and every issue, for an imported or rejected archive. */
export function ImportReportView({ report }: { report: ImportReport }) {
  const invalid = report.issues.filter((i) => i.severity === 'invalid').length
  return (
    <section
      // min-w-0: inside a dialog's grid, a long message must wrap, not widen the dialog.
      className="flex min-w-0 flex-col gap-4 rounded-md border p-4 [overflow-wrap:anywhere]"
      data-testid="import-report"
      data-outcome={report.outcome}
      aria-label="Import report"
    >
      <ReportHeader report={report} />
      {report.outcome !== 'imported' ? (
        <p className="text-sm text-destructive" data-testid="import-rejected-note">
          Nothing was imported: {formatCount(invalid)} invalid {invalid === 1 ? 'entry' : 'entries'} with “fail on invalid
          entries”. Fix them, or import again with “skip invalid entries”.
        </p>
      ) : null}
      <CountSections images={report.images} annotations={report.annotations} />
      <div className="grid gap-3 sm:grid-cols-2">
        <ClassesSection classes={report.classes} />
        <SplitsSection report={report} />
      </div>
      <IssuesSection report={report} />
    </section>
  )
}
