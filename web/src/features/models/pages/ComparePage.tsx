import { ArrowLeftIcon } from 'lucide-react'
import { Link, useSearchParams } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { TrainedModel } from '@/lib/api'
import { cn } from '@/lib/utils'
import { MAX_COMPARE, MIN_COMPARE, parseCompareIds, perClassRows, summaryRows, type CompareRow } from '../hooks/compare'
import { useCompare } from '../hooks/queries'

function fmt(v: number | null): string {
  return v === null ? '—' : v.toFixed(3)
}

function CompareTable({ models, rows, label }: { models: TrainedModel[]; rows: CompareRow[]; label: string }) {
  return (
    <Table aria-label={label}>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>{label}</TableHead>
          {models.map((m) => (
            <TableHead key={m.id}>
              <Link to={`/od/models/${m.id}`} className="text-primary hover:underline">
                {m.name}
              </Link>
              <span className="block font-mono text-[11px] font-normal text-muted-foreground">{m.architecture}</span>
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.key} data-testid={`compare-${row.key}`}>
            <TableCell>{row.label}</TableCell>
            {row.values.map((v, i) => (
              <TableCell key={models[i]?.id ?? i} className={cn('tabular-nums', row.best.includes(i) && 'font-semibold text-emerald-700')} data-best={row.best.includes(i) || undefined}>
                {fmt(v)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

/** 2–5 models side by side on their test metrics, the best of each row in green. */
export function ModelsComparePage() {
  const [search] = useSearchParams()
  const ids = parseCompareIds(search.get('ids'))
  const compare = useCompare(ids)
  const header = (
    <>
      <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
        <Link to="/od/models">
          <ArrowLeftIcon aria-hidden /> All models
        </Link>
      </Button>
      <PageHeader eyebrow="Object detection · Models" title="Compare models" description="Test-split metrics side by side. Models trained on different versions were tested on different images." />
    </>
  )
  if (ids.length < MIN_COMPARE) return <div>{header}<ErrorState error={new Error(`Pick ${MIN_COMPARE} to ${MAX_COMPARE} models on the models page.`)} /></div>
  if (compare.isPending) return <div>{header}<LoadingState /></div>
  if (compare.isError) return <div>{header}<ErrorState error={compare.error} onRetry={() => void compare.refetch()} /></div>
  const { models } = compare.data
  return (
    <div>
      {header}
      <Card className="mb-4">
        <CardHeader><CardTitle>Overall</CardTitle></CardHeader>
        <CardContent><CompareTable models={models} rows={summaryRows(models)} label="Metric" /></CardContent>
      </Card>
      <Card>
        <CardHeader><CardTitle>AP50-95 per class</CardTitle></CardHeader>
        <CardContent><CompareTable models={models} rows={perClassRows(compare.data)} label="Class" /></CardContent>
      </Card>
    </div>
  )
}
