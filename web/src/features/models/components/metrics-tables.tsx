import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { ModelClass, ModelMetrics } from '@/lib/api'

function fmt(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : '—'
}

/** The four overall test figures. */
export function MetricsSummary({ metrics }: { metrics: ModelMetrics | null }) {
  const figures: [string, number | null | undefined][] = [
    ['mAP50-95', metrics?.map50_95],
    ['mAP50', metrics?.map50],
    ['Precision', metrics?.precision],
    ['Recall', metrics?.recall],
  ]
  return (
    <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4" data-testid="model-metrics">
      {figures.map(([label, value]) => (
        <div key={label} className="rounded-md border p-3">
          <dt className="text-xs text-muted-foreground">{label}</dt>
          <dd className="text-2xl font-semibold tabular-nums">{fmt(value)}</dd>
        </div>
      ))}
    </dl>
  )
}

/** AP per class on the test split, worst first (where the next labels help most). */
export function PerClassTable({ metrics }: { metrics: ModelMetrics | null }) {
  const rows = [...(metrics?.per_class ?? [])].sort((a, b) => (a.ap50_95 ?? -1) - (b.ap50_95 ?? -1))
  if (rows.length === 0) return <p className="text-sm text-muted-foreground">No per-class figures (the test split was empty?).</p>
  return (
    <Table aria-label="Per-class AP" data-testid="per-class-table">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Class</TableHead>
          <TableHead>AP50-95</TableHead>
          <TableHead>AP50</TableHead>
          <TableHead>Precision</TableHead>
          <TableHead>Recall</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={`${r.class_id ?? ''}:${r.index ?? ''}:${r.name}`}>
            <TableCell>{r.name}</TableCell>
            <TableCell className="tabular-nums font-medium">{fmt(r.ap50_95)}</TableCell>
            <TableCell className="tabular-nums">{fmt(r.ap50)}</TableCell>
            <TableCell className="tabular-nums">{fmt(r.precision)}</TableCell>
            <TableCell className="tabular-nums">{fmt(r.recall)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

/** Model output index → the dataset class it predicts (by id, so renamed classes still map). */
export function ClassMapping({ classes }: { classes: ModelClass[] }) {
  return (
    <Table aria-label="Class mapping" data-testid="class-mapping">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Index</TableHead>
          <TableHead>Class</TableHead>
          <TableHead>Class id</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {classes.map((c) => (
          <TableRow key={c.index}>
            <TableCell className="tabular-nums">{c.index}</TableCell>
            <TableCell>{c.name}</TableCell>
            <TableCell className="font-mono text-xs">{c.class_id}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}
