import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { DOMAIN_LABEL } from '@/features/products'
import { PR_SPLITS, PRODUCT_DOMAINS, type PrTrainingRun } from '@/lib/api'

function describeData(run: PrTrainingRun): string {
  const d = run.data_config
  if (!d) return '—'
  const frames = d.frames?.mode === 'interval' ? `every ${d.frames.every}th video frame` : `video frames: ${d.frames?.mode ?? 'all'}`
  const split = d.split ? `${d.split.train} / ${d.split.val} / ${d.split.test}` : '—'
  return `${(d.domains ?? []).map((x) => DOMAIN_LABEL[x] ?? x).join(', ')} · ${frames} · at least ${d.min_images_per_product} images a product · split ${split} (seed ${d.seed})`
}

/** What the run froze: products and images per split and domain, and the images it could not read. */
export function DataSummary({ run }: { run: PrTrainingRun }) {
  const summary = run.data_summary ?? {}
  const skipped = summary.skipped ?? []
  return (
    <div className="flex flex-col gap-3">
      <p className="text-xs text-muted-foreground" data-testid="data-config">{describeData(run)}</p>
      <Table aria-label="Frozen data" data-testid="data-summary">
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Split</TableHead>
            <TableHead>Products</TableHead>
            <TableHead>Images</TableHead>
            {PRODUCT_DOMAINS.map((d) => <TableHead key={d}>{DOMAIN_LABEL[d]}</TableHead>)}
          </TableRow>
        </TableHeader>
        <TableBody>
          {PR_SPLITS.map((split) => {
            const s = summary[split]
            return (
              <TableRow key={split} data-testid={`data-split-${split}`}>
                <TableCell className="font-medium">{split}</TableCell>
                <TableCell className="tabular-nums">{s?.products ?? 0}</TableCell>
                <TableCell className="tabular-nums">{s?.images ?? 0}</TableCell>
                {PRODUCT_DOMAINS.map((d) => <TableCell key={d} className="tabular-nums">{s?.domains?.[d] ?? 0}</TableCell>)}
              </TableRow>
            )
          })}
        </TableBody>
      </Table>
      {skipped.length > 0 ? (
        <details className="text-sm" data-testid="skipped-images">
          <summary className="cursor-pointer text-amber-700">{skipped.length} unreadable {skipped.length === 1 ? 'image' : 'images'} skipped</summary>
          <ul className="mt-1 list-inside list-disc text-xs text-muted-foreground">
            {skipped.map((s) => <li key={s.image_id}>image #{s.image_id}: {s.reason}</li>)}
          </ul>
        </details>
      ) : null}
    </div>
  )
}
