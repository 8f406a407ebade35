import { useCallback, useState } from 'react'
import { Loader2Icon, ScissorsIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { JobHeader, JobProgress, useJobFinished, useLiveJob } from '@/features/jobs'
import { errorMessage, isActiveJob, type Job } from '@/lib/api'
import { countOf, formatCount } from '@/lib/format'
import { cutoutJobResultOf, DEFAULT_MAKE_FORM, makeFormErrors, makeRequest, type MakeCutoutsForm } from '../hooks/logic'
import { useCutoutsChanged, useMakeCutouts } from '../hooks/queries'
import { MakeCutoutsFields } from './make-cutouts-fields'

function MakeJob({ job }: { job: Job }) {
  const result = cutoutJobResultOf(job)
  return (
    <div className="flex flex-col gap-2" data-testid="make-cutouts-job" data-status={job.status}>
      <JobHeader job={job} label="Make cutouts" />
      {isActiveJob(job) ? <JobProgress job={job} /> : null}
      {result ? (
        <p className="text-sm" data-testid="make-cutouts-result">
          {countOf(result.created, 'new cutout')} from {countOf(result.images, 'image')}; {formatCount(result.existing)} already there
          {result.skipped.length > 0 ? `; ${formatCount(result.skipped.length)} skipped` : ''}.
        </p>
      ) : null}
      {job.error ? <p className="text-sm text-destructive">{job.error}</p> : null}
    </div>
  )
}

/** Cut crops out of a dataset's shelf photos (its boxes, or a detector's) as one job, and watch it. */
export function MakeCutoutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [form, setForm] = useState<MakeCutoutsForm>(DEFAULT_MAKE_FORM)
  const [jobId, setJobId] = useState<number | null>(null)
  const make = useMakeCutouts()
  const changed = useCutoutsChanged()
  const { job } = useLiveJob(jobId)
  const onFinish = useCallback(
    (done: Job) => {
      changed()
      const result = cutoutJobResultOf(done)
      if (done.status === 'succeeded' && result) toast.success(`Made ${countOf(result.created, 'cutout')}`)
      else toast.error(`Making cutouts ${done.status}: ${done.error ?? 'see the job'}`)
    },
    [changed],
  )
  useJobFinished(job.data, onFinish)
  const errors = makeFormErrors(form)
  const running = make.isPending || (job.data ? isActiveJob(job.data) : jobId !== null)
  const start = () =>
    make.mutate(makeRequest(form), {
      onSuccess: ({ job: started }) => setJobId(started.id),
      onError: (e) => toast.error(`Could not start: ${errorMessage(e)}`),
    })
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-xl" data-testid="make-cutouts-dialog">
        <DialogHeader>
          <DialogTitle>Make cutouts</DialogTitle>
          <DialogDescription>Crop every product box of a dataset&apos;s shelf photos. A box that already has a cutout is not cut twice.</DialogDescription>
        </DialogHeader>
        <MakeCutoutsFields form={form} errors={{ threshold: errors.threshold ?? '', margin: errors.margin ?? '' }} onChange={(p) => setForm((f) => ({ ...f, ...p }))} />
        {make.error ? <p className="text-sm text-destructive">{errorMessage(make.error)}</p> : null}
        {jobId !== null && job.data ? <MakeJob job={job.data} /> : null}
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Close
          </Button>
          <Button onClick={start} disabled={Object.keys(errors).length > 0 || running} data-testid="start-make-cutouts">
            {running ? <Loader2Icon className="animate-spin" aria-hidden /> : <ScissorsIcon aria-hidden />}
            Make cutouts
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
