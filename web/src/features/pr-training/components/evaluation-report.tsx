import type * as React from 'react'
import { Link } from 'react-router'
import { EmptyState } from '@/components/states'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { NeighbourStrip, percent, RetrievalSummary } from '@/features/pr-models'
import { DOMAIN_LABEL, useProduct } from '@/features/products'
import type { ConfusedPair, HardCase, PrEvaluation, ProductDomain, RetrievalMetrics } from '@/lib/api'
import { formatDateTime } from '@/lib/format'

function domainName(domain: string): string {
  return DOMAIN_LABEL[domain as ProductDomain] ?? domain
}

/** A product's name linking to it (its id until the name loads, or when it was deleted). */
function ProductName({ id }: { id: number }) {
  const product = useProduct(id)
  return (
    <Link to={`/products/${id}`} className="text-primary hover:underline" title={product.data?.sku}>
      {product.data?.name ?? `Product #${id}`}
    </Link>
  )
}

function MetricCells({ m }: { m: RetrievalMetrics }) {
  return (
    <>
      <TableCell className="tabular-nums font-medium">{percent(m.recall_at_1)}</TableCell>
      <TableCell className="tabular-nums">{percent(m.recall_at_5)}</TableCell>
      <TableCell className="tabular-nums">{percent(m.recall_at_10)}</TableCell>
      <TableCell className="tabular-nums">{percent(m.map_at_r)}</TableCell>
      <TableCell className="tabular-nums">{m.queries ?? '—'}</TableCell>
    </>
  )
}

function MetricTable({ label, first, rows, testId }: { label: string; first: string[]; rows: { key: string; cells: React.ReactNode[]; m: RetrievalMetrics }[]; testId: string }) {
  return (
    <Table aria-label={label} data-testid={testId}>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          {[...first, 'R@1', 'R@5', 'R@10', 'mAP@R', 'Queries'].map((h) => <TableHead key={h}>{h}</TableHead>)}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.key} data-testid={`${testId}-row`}>
            {r.cells.map((c, i) => <TableCell key={i}>{c}</TableCell>)}
            <MetricCells m={r.m} />
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

function Block({ title, note, children }: { title: string; note?: string; children: React.ReactNode }) {
  return (
    <section className="flex flex-col gap-2">
      <h3 className="text-sm font-semibold">{title}</h3>
      {note ? <p className="text-xs text-muted-foreground">{note}</p> : null}
      {children}
    </section>
  )
}

function HardCases({ cases }: { cases: HardCase[] }) {
  if (cases.length === 0) return <p className="text-sm text-muted-foreground">No hard case: every query found its product first.</p>
  return (
    <ul className="grid gap-3 2xl:grid-cols-2" data-testid="hard-cases">
      {cases.map((c) => (
        <li key={c.image_id} className="flex flex-col gap-1 rounded-md border p-2" data-testid="hard-case">
          <p className="text-xs">
            <ProductName id={c.product_id} /> · {domainName(c.domain)} query ·{' '}
            {c.first_correct_rank === null ? 'its product is not among the neighbours' : `first correct at rank ${c.first_correct_rank}`}
          </p>
          <NeighbourStrip queryImageId={c.image_id} productId={c.product_id} neighbours={c.neighbours} />
        </li>
      ))}
    </ul>
  )
}

function ConfusedPairs({ pairs }: { pairs: ConfusedPair[] }) {
  if (pairs.length === 0) return <p className="text-sm text-muted-foreground">No product was mistaken for another at rank 1.</p>
  return (
    <Table aria-label="Confused products" data-testid="confused-pairs">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Product</TableHead>
          <TableHead>Mistaken for</TableHead>
          <TableHead>Times at rank 1</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {pairs.map((p) => (
          <TableRow key={`${p.product_a}-${p.product_b}`} data-testid="confused-pair">
            <TableCell><ProductName id={p.product_a} /></TableCell>
            <TableCell><ProductName id={p.product_b} /></TableCell>
            <TableCell className="tabular-nums">{p.count}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

/** A checkpoint's test report: overall, cross-domain, per category, the worst queries and the confused pairs. */
export function EvaluationReport({ evaluation }: { evaluation: PrEvaluation }) {
  const report = evaluation.report ?? {}
  const cross = report.cross_domain ?? []
  const categories = report.per_category ?? []
  return (
    <div className="flex flex-col gap-6" data-testid="evaluation-report" data-evaluation-id={evaluation.id}>
      <p className="text-xs text-muted-foreground">
        Epoch {evaluation.epoch ?? '—'} on the test products (never seen in training) · {formatDateTime(evaluation.created_at)}
      </p>
      <RetrievalSummary metrics={report.overall ?? evaluation.metrics} testId="evaluation-overall" />
      <Block title="Cross-domain" note="Queries of one domain searched against a gallery of another only.">
        {cross.length === 0 ? (
          <EmptyState title="One domain only" description="The test products have images of a single domain, so no direction can be measured." />
        ) : (
          <MetricTable label="Cross-domain" first={['Query', 'Gallery']} testId="cross-domain" rows={cross.map((r) => ({ key: `${r.query_domain}-${r.gallery_domain}`, cells: [domainName(r.query_domain), domainName(r.gallery_domain)], m: r }))} />
        )}
      </Block>
      <Block title="Per category">
        {categories.length === 0 ? <p className="text-sm text-muted-foreground">No category breakdown.</p> : (
          <MetricTable label="Per category" first={['Category']} testId="per-category" rows={categories.map((r) => ({ key: r.category, cells: [r.category], m: r }))} />
        )}
      </Block>
      <Block title="Hard cases" note="The worst queries with their five nearest images: green shows the query's product, red another.">
        <HardCases cases={report.hard_cases ?? []} />
      </Block>
      <Block title="Most confused products">
        <ConfusedPairs pairs={report.confused_pairs ?? []} />
      </Block>
    </div>
  )
}
