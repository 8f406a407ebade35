import { Link } from 'react-router'
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { EmptyState } from '@/components/states'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { PrModelComparison } from '@/lib/api'
import { cn } from '@/lib/utils'
import { chartRows, isBest, MODEL_COLORS } from '../hooks/compare'
import { formatValue, metricLabel, percent } from '../hooks/metrics'

/** Every test metric of every model in one table, the best of each row in green. */
export function CompareTable({ comparison }: { comparison: PrModelComparison }) {
  const { models, rows } = comparison
  return (
    <Table aria-label="Metrics compared" data-testid="pr-compare-table">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Metric</TableHead>
          {models.map((m) => (
            <TableHead key={m.id}>
              <Link to={`/models/${m.id}`} className="text-primary hover:underline">{m.name}</Link>
              {m.backbone ? <span className="block font-mono text-[11px] font-normal text-muted-foreground">{m.backbone}</span> : null}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.metric} data-testid={`pr-compare-${row.metric}`}>
            <TableCell>{metricLabel(row.metric)}</TableCell>
            {models.map((m) => (
              <TableCell key={m.id} className={cn('tabular-nums', isBest(row, m.id) && 'font-semibold text-emerald-700')} data-best={isBest(row, m.id) || undefined}>
                {formatValue(row.metric, row.values[String(m.id)])}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

/** Recall@K and mAP@R as grouped bars, one colour per model. */
export function CompareChart({ comparison }: { comparison: PrModelComparison }) {
  const data = chartRows(comparison)
  if (data.length === 0) return <EmptyState title="No test metrics to chart" />
  return (
    <div className="h-72 w-full" data-testid="pr-compare-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} />
          <YAxis domain={[0, 1]} tickFormatter={(v: number) => percent(v, 0)} tick={{ fontSize: 12 }} width={48} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? percent(v) : '—')} />
          <Legend />
          {comparison.models.map((m, i) => (
            <Bar key={m.id} dataKey={`m${m.id}`} name={m.name} fill={MODEL_COLORS[i % MODEL_COLORS.length]} isAnimationActive={false} radius={[3, 3, 0, 0]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
