/** A dataset's review queue: per model how its predictions fared, and the images still waiting, with "Review next". */
import { ArrowRightIcon, ListChecksIcon, Loader2Icon, SparklesIcon } from 'lucide-react'
import { Link, useNavigate } from 'react-router'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import type { ReviewImage, ReviewModelStats } from '@/lib/api'
import { countOf, formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'
import { useMlModels, useReviewQueue, useReviewStats } from '../hooks/queries'
import { savingSentence, sharesOf, verdictOf } from '../hooks/review-stats'

export function editorPath(datasetId: number, imageId: number): string {
  return `/od/annotate/${datasetId}/${imageId}`
}

const SEGMENTS = [
  { key: 'asIs', label: 'accepted as is', className: 'bg-emerald-500' },
  { key: 'afterEdit', label: 'accepted after edit', className: 'bg-sky-500' },
  { key: 'rejected', label: 'rejected', className: 'bg-red-400' },
] as const

function ModelRow({ stats, title }: { stats: ReviewModelStats; title: string }) {
  const shares = sharesOf(stats)
  const verdict = verdictOf(stats)
  return (
    <li className="flex flex-col gap-2 py-3" data-testid="review-model" data-model={stats.model} data-verdict={verdict}>
      <div className="flex items-baseline justify-between gap-3">
        <span className="font-medium">{title}</span>
        <span className="text-xs tabular-nums text-muted-foreground">
          {countOf(shares.reviewed, 'reviewed prediction')} · {formatCount(stats.pending)} pending
        </span>
      </div>
      <div className="flex h-2 overflow-hidden rounded-full bg-muted" aria-hidden>
        {SEGMENTS.map((s) => (
          <div key={s.key} className={s.className} style={{ width: `${shares[s.key] * 100}%` }} />
        ))}
      </div>
      <div className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
        {SEGMENTS.map((s) => (
          <span key={s.key} className="inline-flex items-center gap-1.5" data-testid={`share-${s.key}`}>
            <span className={cn('size-2 rounded-full', s.className)} aria-hidden />
            {Math.round(shares[s.key] * 100)}% {s.label}
          </span>
        ))}
      </div>
      <p className={cn('text-sm', verdict === 'saving' ? 'text-emerald-700' : verdict === 'not' ? 'text-red-700' : 'text-foreground')} data-testid="review-verdict">
        {savingSentence(stats, title)}
      </p>
    </li>
  )
}

function StatsCard({ datasetId, titleOf }: { datasetId: number; titleOf: (key: string) => string }) {
  const stats = useReviewStats(datasetId)
  return (
    <Card>
      <CardHeader>
        <CardTitle>Is AI saving time?</CardTitle>
        <CardDescription>Of each model's reviewed predictions: kept as they were, kept after an edit, rejected.</CardDescription>
      </CardHeader>
      <CardContent>
        {stats.isPending ? <LoadingState /> : stats.isError ? <ErrorState error={stats.error} onRetry={() => void stats.refetch()} /> : stats.data.length === 0 ? (
          <p className="text-sm text-muted-foreground">No AI predictions in this dataset yet.</p>
        ) : (
          <ul className="divide-y" data-testid="review-stats">
            {stats.data.map((s) => (
              <ModelRow key={s.model} stats={s} title={titleOf(s.model)} />
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  )
}

function QueueRow({ datasetId, item, titleOf }: { datasetId: number; item: ReviewImage; titleOf: (key: string) => string }) {
  return (
    <li className="flex items-center gap-3 py-2" data-testid="review-image" data-image-id={item.image_id}>
      <span className="min-w-0 flex-1 truncate font-mono text-sm" title={item.filename}>
        {item.filename}
      </span>
      <span className="text-xs text-muted-foreground">{item.models.map(titleOf).join(', ')}</span>
      <span className="w-28 text-right text-sm tabular-nums">{countOf(item.pending, 'prediction')}</span>
      <Button variant="ghost" size="sm" asChild>
        <Link to={editorPath(datasetId, item.image_id)}>
          Review <ArrowRightIcon aria-hidden />
        </Link>
      </Button>
    </li>
  )
}

function QueueCard({ datasetId, titleOf, onAutoAnnotate }: { datasetId: number; titleOf: (key: string) => string; onAutoAnnotate?: () => void }) {
  const queue = useReviewQueue(datasetId)
  const navigate = useNavigate()
  const items = queue.data?.pages.flatMap((p) => p.items) ?? []
  const total = queue.data?.pages[0]?.total ?? items.length
  const first = items[0]
  return (
    <Card>
      <CardHeader className="flex flex-row items-start justify-between gap-3">
        <div>
          <CardTitle>Images waiting for review</CardTitle>
          <CardDescription>{queue.isSuccess ? `${countOf(total, 'image')} with pending predictions` : 'Images with predictions nobody has accepted or rejected yet.'}</CardDescription>
        </div>
        <Button disabled={!first} onClick={() => first && void navigate(editorPath(datasetId, first.image_id))} data-testid="review-next">
          <ListChecksIcon aria-hidden /> Review next
        </Button>
      </CardHeader>
      <CardContent>
        {queue.isPending ? <LoadingState /> : queue.isError ? <ErrorState error={queue.error} onRetry={() => void queue.refetch()} /> : items.length === 0 ? (
          <EmptyState icon={<SparklesIcon aria-hidden />} title="Nothing to review" description="Run Auto-annotate, or Detect in the editor, to get predictions." action={onAutoAnnotate ? <Button size="sm" variant="outline" onClick={onAutoAnnotate}>Auto-annotate…</Button> : null} />
        ) : (
          <ul className="divide-y" data-testid="review-queue">
            {items.map((item) => (
              <QueueRow key={item.image_id} datasetId={datasetId} item={item} titleOf={titleOf} />
            ))}
          </ul>
        )}
        {queue.hasNextPage ? (
          <Button variant="outline" size="sm" className="mt-3" onClick={() => void queue.fetchNextPage()} disabled={queue.isFetchingNextPage}>
            {queue.isFetchingNextPage ? <Loader2Icon className="animate-spin" aria-hidden /> : null} Load more
          </Button>
        ) : null}
      </CardContent>
    </Card>
  )
}

export function ReviewTab({ datasetId, onAutoAnnotate }: { datasetId: number; onAutoAnnotate?: () => void }) {
  const models = useMlModels()
  const titleOf = (key: string) => models.data?.find((m) => m.key === key)?.title ?? key
  return (
    <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]" data-testid="review-tab">
      <QueueCard datasetId={datasetId} titleOf={titleOf} onAutoAnnotate={onAutoAnnotate} />
      <StatsCard datasetId={datasetId} titleOf={titleOf} />
    </div>
  )
}
