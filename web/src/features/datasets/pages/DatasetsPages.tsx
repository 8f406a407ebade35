import { useState } from 'react'
import { FolderOpenIcon, Loader2Icon, PlusIcon, SparklesIcon, Trash2Icon } from 'lucide-react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { toast } from 'sonner'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState } from '@/components/states'
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Progress } from '@/components/ui/progress'
import { SearchInput } from '@/components/ui/search-input'
import { Skeleton } from '@/components/ui/skeleton'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import { AutoAnnotateDialog, ReviewTab } from '@/features/ai'
import { useSession } from '@/features/auth'
import { errorMessage, isApiError, type Dataset } from '@/lib/api'
import { formatCount, formatPercent, formatRelative, countOf } from '@/lib/format'
import { CreateDatasetDialog } from '../components/create-dataset-dialog'
import { EditDatasetButton } from '../components/edit-dataset-dialog'
import { ExportTab } from '../components/export-tab'
import { ImagesTab } from '../components/images-tab'
import { ImportDatasetButton } from '../components/import-dataset-dialog'
import { LabelSetTab } from '../components/label-set-tab'
import { OverviewTab } from '../components/overview-tab'
import { VersionsTab } from '../components/versions-tab'
import { useDataset, useDatasets, useDeleteDataset } from '../hooks/datasets'

const TYPE_LABEL = { bbox: 'Boxes', polygon: 'Polygons' } as const

function DatasetCard({ dataset }: { dataset: Dataset }) {
  return (
    <Link
      to={`/od/datasets/${dataset.id}`}
      className="group rounded-lg outline-none focus-visible:ring-2 focus-visible:ring-ring/50"
      data-testid="dataset-card"
    >
      <Card className="flex h-full flex-col transition-shadow group-hover:shadow-md">
        <CardHeader>
          <div className="flex items-start justify-between gap-2">
            <CardTitle className="truncate text-base leading-tight">{dataset.name}</CardTitle>
            <Badge variant="outline">{TYPE_LABEL[dataset.annotation_type]}</Badge>
          </div>
          <CardDescription className="line-clamp-2 min-h-10">
            {dataset.description || 'No description'}
          </CardDescription>
        </CardHeader>
        <CardContent className="mt-auto flex flex-col gap-3">
          <div className="flex gap-4 text-sm">
            <span>
              <strong className="tabular-nums">{formatCount(dataset.image_count)}</strong>{' '}
              <span className="text-muted-foreground">images</span>
            </span>
            <span>
              <strong className="tabular-nums">{formatCount(dataset.annotation_count)}</strong>{' '}
              <span className="text-muted-foreground">annotations</span>
            </span>
          </div>
          <div className="flex flex-col gap-1">
            <div className="flex justify-between text-xs text-muted-foreground">
              <span>
                {formatCount(dataset.status_counts.completed + dataset.status_counts.skipped)} of{' '}
                {formatCount(dataset.image_count)} done
              </span>
              <span className="tabular-nums">{formatPercent(dataset.progress)}</span>
            </div>
            <Progress value={dataset.progress * 100} aria-label={`${dataset.name} progress`} />
          </div>
          <p className="text-xs text-muted-foreground">Updated {formatRelative(dataset.updated_at)}</p>
        </CardContent>
      </Card>
    </Link>
  )
}

export function DatasetsPage() {
  const [q, setQ] = useState('')
  const [creating, setCreating] = useState(false)
  const datasets = useDatasets(q.trim() || null)
  const items = datasets.data?.items ?? []
  return (
    <div>
      <PageHeader
        eyebrow="Object detection"
        title="Datasets"
        description="Sets of library images labelled together, with their progress and train/val/test split."
        actions={
          <>
            <ImportDatasetButton />
            <Button onClick={() => setCreating(true)} data-testid="new-dataset">
              <PlusIcon aria-hidden /> New dataset
            </Button>
          </>
        }
      />
      <SearchInput
        wrapperClassName="mb-4 max-w-sm"
        aria-label="Search datasets"
        placeholder="Search datasets…"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      {datasets.isError ? (
        <Card>
          <ErrorState error={datasets.error} title="Could not load datasets" onRetry={() => void datasets.refetch()} />
        </Card>
      ) : datasets.isPending ? (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {Array.from({ length: 3 }, (_, i) => (
            <Skeleton key={i} className="h-52" />
          ))}
        </div>
      ) : items.length === 0 ? (
        <Card>
          <EmptyState
            icon={<FolderOpenIcon aria-hidden />}
            title={q.trim() ? 'No datasets match' : 'No datasets yet'}
            description={q.trim() ? 'Try another name.' : 'Create a dataset, then add library images to it to start labelling.'}
            action={
              q.trim() ? null : (
                <Button size="sm" onClick={() => setCreating(true)}>
                  <PlusIcon aria-hidden /> New dataset
                </Button>
              )
            }
          />
        </Card>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="dataset-grid">
          {items.map((d) => (
            <DatasetCard key={d.id} dataset={d} />
          ))}
        </div>
      )}
      <CreateDatasetDialog open={creating} onOpenChange={setCreating} />
    </div>
  )
}

function DeleteDataset({ dataset }: { dataset: Dataset }) {
  const [open, setOpen] = useState(false)
  const remove = useDeleteDataset()
  const navigate = useNavigate()
  return (
    <>
      <Button variant="outline" className="text-destructive" onClick={() => setOpen(true)}>
        <Trash2Icon aria-hidden /> Delete
      </Button>
      <AlertDialog open={open} onOpenChange={setOpen}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete {dataset.name}?</AlertDialogTitle>
            <AlertDialogDescription>
              Its {countOf(dataset.annotation_count, 'annotation')} and any versions are deleted. The{' '}
              {countOf(dataset.image_count, 'image')} stay in the library.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
            <Button
              variant="destructive"
              disabled={remove.isPending}
              onClick={() =>
                remove.mutate(dataset.id, {
                  onSuccess: () => {
                    toast.success(`Deleted dataset ${dataset.name}`)
                    void navigate('/od/datasets')
                  },
                  onError: (error) => toast.error(errorMessage(error)),
                })
              }
            >
              {remove.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Delete dataset
            </Button>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  )
}

/** A dataset id that names nothing (or could not be loaded: `error`). */
function DatasetMissing({ id, error, onRetry }: { id: string | undefined; error: unknown; onRetry: () => void }) {
  return (
    <div>
      <PageHeader eyebrow="Object detection · Datasets" title={`Dataset ${id ?? ''}`.trim()} />
      <Card>
        {error === null ? (
          <EmptyState
            icon={<FolderOpenIcon aria-hidden />}
            title="This dataset does not exist"
            description="It may have been deleted."
            action={
              <Button asChild variant="outline" size="sm">
                <Link to="/od/datasets">All datasets</Link>
              </Button>
            }
          />
        ) : (
          <ErrorState error={error} onRetry={onRetry} />
        )}
      </Card>
    </div>
  )
}

function DatasetTabs(props: { dataset: Dataset; tab: string; onTab: (tab: string) => void; canEdit: boolean; onAutoAnnotate: () => void }) {
  const { dataset, tab, onTab, canEdit } = props
  return (
    <Tabs value={tab} onValueChange={onTab}>
      <TabsList>
        <TabsTrigger value="overview">Overview</TabsTrigger>
        <TabsTrigger value="images">Images ({formatCount(dataset.image_count)})</TabsTrigger>
        <TabsTrigger value="classes">Classes</TabsTrigger>
        <TabsTrigger value="versions">Versions</TabsTrigger>
        <TabsTrigger value="export">Export</TabsTrigger>
        <TabsTrigger value="review">Review</TabsTrigger>
      </TabsList>
      <TabsContent value="overview">
        <OverviewTab datasetId={dataset.id} />
      </TabsContent>
      <TabsContent value="images">
        <ImagesTab datasetId={dataset.id} datasetName={dataset.name} canAutoAnnotate={canEdit} />
      </TabsContent>
      <TabsContent value="classes">
        <LabelSetTab datasetId={dataset.id} canEdit={canEdit} />
      </TabsContent>
      <TabsContent value="versions">
        <VersionsTab datasetId={dataset.id} />
      </TabsContent>
      <TabsContent value="export">
        <ExportTab datasetId={dataset.id} />
      </TabsContent>
      <TabsContent value="review">
        <ReviewTab datasetId={dataset.id} onAutoAnnotate={canEdit ? props.onAutoAnnotate : undefined} />
      </TabsContent>
    </Tabs>
  )
}

export function DatasetDetailPage() {
  const { id } = useParams()
  const datasetId = Number(id)
  const dataset = useDataset(datasetId)
  const session = useSession()
  const canEdit = session.data?.user.role !== 'viewer'
  const [annotating, setAnnotating] = useState(false)
  // The tab is in the URL (?tab=classes), so the editor can link to the label set.
  const [params, setParams] = useSearchParams()
  const tab = params.get('tab') ?? 'overview'
  const setTab = (value: string) => setParams(value === 'overview' ? {} : { tab: value }, { replace: true })

  if (!Number.isInteger(datasetId) || datasetId <= 0 || dataset.isError) {
    const notFound = !dataset.isError || (isApiError(dataset.error) && dataset.error.status === 404)
    return <DatasetMissing id={id} error={notFound ? null : dataset.error} onRetry={() => void dataset.refetch()} />
  }
  if (dataset.isPending) {
    return (
      <div>
        <PageHeader eyebrow="Object detection · Datasets" title={`Dataset ${id ?? ''}`.trim()} />
        <Skeleton className="h-64" />
      </div>
    )
  }
  const d = dataset.data
  return (
    <div>
      <PageHeader
        eyebrow="Object detection · Datasets"
        title={d.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge variant="outline">{TYPE_LABEL[d.annotation_type]}</Badge>
            {d.description || `${countOf(d.image_count, 'image')}, ${countOf(d.annotation_count, 'annotation')}`}
          </span>
        }
        actions={
          <>
            <Button variant="outline" asChild>
              <Link to="/od/datasets">All datasets</Link>
            </Button>
            {canEdit ? (
              <Button variant="outline" onClick={() => setAnnotating(true)} data-testid="auto-annotate">
                <SparklesIcon aria-hidden /> Auto-annotate
              </Button>
            ) : null}
            {canEdit ? <EditDatasetButton key={d.updated_at} dataset={d} /> : null}
            {session.data?.user.role === 'admin' ? <DeleteDataset dataset={d} /> : null}
          </>
        }
      />
      <DatasetTabs dataset={d} tab={tab} onTab={setTab} canEdit={canEdit} onAutoAnnotate={() => setAnnotating(true)} />
      {canEdit ? <AutoAnnotateDialog open={annotating} onOpenChange={setAnnotating} datasetId={d.id} /> : null}
    </div>
  )
}
