/** An evaluation someone started from a checkpoint: followed live, and the report refreshed when it ends. */
import { useCallback, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { toast } from 'sonner'
import { useJobFinished, useLiveJob } from '@/features/jobs'
import { queryKeys, type Job } from '@/lib/api'

export function useEvaluationJob(runId: number) {
  const queryClient = useQueryClient()
  const [jobId, setJobId] = useState<number | null>(null)
  const { job } = useLiveJob(jobId)
  const onFinish = useCallback(
    (finished: Job) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.prTraining.detail(runId) })
      void queryClient.invalidateQueries({ queryKey: queryKeys.prModels.all() })
      if (finished.status === 'succeeded') toast.success('Evaluation finished')
      else toast.error(finished.error ?? `Evaluation ${finished.status}`)
    },
    [queryClient, runId],
  )
  useJobFinished(job.data, onFinish)
  return { job: job.data ?? null, follow: setJobId }
}
