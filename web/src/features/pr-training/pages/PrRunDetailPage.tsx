import { ArrowLeftIcon } from 'lucide-react'
import { Link, useParams, useSearchParams } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import { JobProgress, JobStatusBadge } from '@/features/jobs'
import { useCanWrite } from '@/features/products'
import type { Job, PrTrainingRun } from '@/lib/api'
import { CheckpointsTable } from '../components/checkpoints-table'
import { DataSummary } from '../components/data-summary'
import { EvaluationReport } from '../components/evaluation-report'
import { RunActions } from '../components/run-actions'
import { LossChart, LrChart, RetrievalChart } from '../components/run-charts'
import { RunImages } from '../components/run-images'
import { RunOverview, TitledCard } from '../components/run-overview'
import { dataLabel, historyPoints } from '../hooks/charts'
import { useEvaluationJob } from '../hooks/evaluation-job'
import { runStamp, usePrRun, useRunEvaluation } from '../hooks/queries'

const TABS = ['charts', 'checkpoints', 'evaluation', 'data'] as const
type Tab = (typeof TABS)[number]

function BackToRuns() {
  return (
    <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
      <Link to="/training">
        <ArrowLeftIcon aria-hidden /> All runs
      </Link>
    </Button>
  )
}

function Charts({ run }: { run: PrTrainingRun }) {
  const points = historyPoints(run.metrics_history)
  return (
    <div className="grid gap-4 xl:grid-cols-2">
      <TitledCard title="Loss by part"><LossChart points={points} totalEpochs={run.total_epochs} /></TitledCard>
      <TitledCard title="Validation retrieval"><RetrievalChart points={points} totalEpochs={run.total_epochs} /></TitledCard>
      <TitledCard title="Learning rate"><LrChart points={points} totalEpochs={run.total_epochs} /></TitledCard>
    </div>
  )
}

function Evaluation({ run, job }: { run: PrTrainingRun; job: Job | null }) {
  const evaluation = useRunEvaluation(run.id, `${runStamp(run)}:${job?.status ?? ''}`)
  const running = job && (job.status === 'queued' || job.status === 'running') ? <JobProgress job={job} className="mb-4" /> : null
  if (evaluation.isPending) return <LoadingState label="Loading the evaluation…" />
  if (evaluation.isError) return <ErrorState error={evaluation.error} onRetry={() => void evaluation.refetch()} />
  if (evaluation.data === null)
    return (
      <>
        {running}
        <EmptyState title="No evaluation yet" description="The best checkpoint is evaluated on the test products when training ends; any checkpoint can be evaluated from the Checkpoints tab." />
      </>
    )
  return (
    <>
      {running}
      <EvaluationReport evaluation={evaluation.data} />
    </>
  )
}

function RunTabs({ run }: { run: PrTrainingRun }) {
  const [search, setSearch] = useSearchParams()
  const tab: Tab = (TABS as readonly string[]).includes(search.get('tab') ?? '') ? (search.get('tab') as Tab) : 'charts'
  const canWrite = useCanWrite()
  const evaluationJob = useEvaluationJob(run.id)
  const onEvaluated = (jobId: number) => {
    evaluationJob.follow(jobId)
    setSearch({ tab: 'evaluation' }, { replace: true })
  }
  return (
    <Tabs value={tab} onValueChange={(v) => setSearch({ tab: v }, { replace: true })} className="mt-4">
      <TabsList>
        <TabsTrigger value="charts" data-testid="tab-charts">Charts</TabsTrigger>
        <TabsTrigger value="checkpoints" data-testid="tab-checkpoints">Checkpoints</TabsTrigger>
        <TabsTrigger value="evaluation" data-testid="tab-evaluation">Evaluation</TabsTrigger>
        <TabsTrigger value="data" data-testid="tab-data">Data</TabsTrigger>
      </TabsList>
      <TabsContent value="charts"><Charts run={run} /></TabsContent>
      <TabsContent value="checkpoints"><TitledCard title="Checkpoints"><CheckpointsTable run={run} canWrite={canWrite} onEvaluated={onEvaluated} /></TitledCard></TabsContent>
      <TabsContent value="evaluation"><TitledCard title="Test evaluation"><Evaluation run={run} job={evaluationJob.job} /></TitledCard></TabsContent>
      <TabsContent value="data">
        <div className="grid gap-4">
          <TitledCard title="Frozen data"><DataSummary run={run} /></TitledCard>
          <TitledCard title="Images"><RunImages runId={run.id} /></TitledCard>
        </div>
      </TabsContent>
    </Tabs>
  )
}

/** One run: live progress, loss / LR / retrieval charts, checkpoints, the test report and the frozen data. */
export function PrRunDetailPage() {
  const params = useParams()
  const id = Number(params.id)
  const valid = Number.isInteger(id) && id > 0
  const run = usePrRun(valid ? id : null)
  const canWrite = useCanWrite()
  if (!valid || run.isError || run.isPending)
    return (
      <div>
        <BackToRuns />
        <PageHeader eyebrow="Product recognition · Training" title={`Training run ${params.id ?? ''}`.trim()} />
        {!valid || run.isError ? (
          <ErrorState error={run.error ?? new Error(`"${params.id ?? ''}" is not a run id.`)} onRetry={valid ? () => void run.refetch() : undefined} />
        ) : (
          <LoadingState label="Loading the run…" />
        )}
      </div>
    )
  const data = run.data
  return (
    <div data-testid="pr-run-detail" data-status={data.status}>
      <BackToRuns />
      <PageHeader
        eyebrow="Product recognition · Training"
        title={data.name}
        description={`${data.backbone}${data.pretrained ? '' : ' (random init)'} · ${dataLabel(data)}`}
        actions={
          <>
            <JobStatusBadge status={data.status} />
            <RunActions run={data} canWrite={canWrite} />
          </>
        }
      />
      <RunOverview run={data} />
      <RunTabs run={data} />
    </div>
  )
}
