import { useState } from 'react'
import { Loader2Icon, ScanSearchIcon } from 'lucide-react'
import { toast } from 'sonner'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Segmented } from '@/components/ui/segmented'
import { JobProgress, useLiveJob } from '@/features/jobs'
import { errorMessage, isActiveJob, type PrVisualComparison } from '@/lib/api'
import { productThumbnailUrl } from '../api'
import { visualResult } from '../hooks/compare'
import { useStartVisualCompare } from '../hooks/queries'
import { NeighbourStrip } from './neighbour-strip'

const QUERY_COUNTS = [
  { value: '4', label: '4 queries' },
  { value: '8', label: '8 queries' },
  { value: '16', label: '16 queries' },
]

const GALLERY_SOURCE: Record<string, string> = {
  shared_test: 'the test products the models share',
  union_test: "every model's test products",
  catalogue: 'a sample of the catalogue',
}

function Grid({ result }: { result: PrVisualComparison }) {
  const g = result.gallery
  return (
    <div className="flex flex-col gap-4 overflow-x-auto" data-testid="visual-compare-grid">
      {g ? (
        <p className="text-xs text-muted-foreground" data-testid="visual-compare-gallery">
          Each model searched {g.images} images of {g.products} products ({GALLERY_SOURCE[g.source] ?? g.source}).
        </p>
      ) : null}
      {result.queries.map((q) => (
        <div key={q.image_id} className="flex items-start gap-4 border-t pt-3 first:border-t-0 first:pt-0" data-testid="visual-query">
          <figure className="flex w-24 shrink-0 flex-col gap-0.5">
            <img src={productThumbnailUrl(q.image_id)} alt={`Query ${q.image_id}`} className="aspect-square w-24 rounded border-2 border-slate-400 bg-muted object-contain" />
            <figcaption className="text-[10px] text-muted-foreground">query · product {q.product_id}</figcaption>
          </figure>
          <div className="flex flex-col gap-2">
            {result.models.map((m) => (
              <div key={m.id} className="flex flex-col gap-0.5">
                <span className="text-xs font-medium">{m.name}</span>
                <NeighbourStrip queryImageId={q.image_id} productId={q.product_id} neighbours={q.results[String(m.id)] ?? []} showQuery={false} />
              </div>
            ))}
          </div>
        </div>
      ))}
    </div>
  )
}

/** The same test queries through every model, each model's top 5 side by side (a job: models load on a worker). */
export function VisualCompare({ ids }: { ids: number[] }) {
  const [queries, setQueries] = useState('8')
  const [jobId, setJobId] = useState<number | null>(null)
  const start = useStartVisualCompare()
  const { job } = useLiveJob(jobId)
  const result = visualResult(job.data)
  const run = () =>
    start.mutate({ ids, queries: Number(queries) }, { onSuccess: ({ job: started }) => setJobId(started.id), onError: (e) => toast.error(errorMessage(e)) })
  const busy = start.isPending || (job.data ? isActiveJob(job.data) : jobId !== null)
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <Segmented label="Queries" value={queries} options={QUERY_COUNTS} onChange={setQueries} />
        <Button onClick={run} disabled={busy} data-testid="start-visual-compare">
          {busy ? <Loader2Icon className="animate-spin" aria-hidden /> : <ScanSearchIcon aria-hidden />}
          {result ? 'Run again' : 'Compare on the same queries'}
        </Button>
      </div>
      {job.data && isActiveJob(job.data) ? <JobProgress job={job.data} /> : null}
      {job.data?.status === 'failed' ? <ErrorState error={new Error(job.data.error ?? 'The comparison failed.')} title="The comparison failed" /> : null}
      {result ? <Grid result={result} /> : null}
    </div>
  )
}
