import { useState } from 'react'
import { Loader2Icon, PlayIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { FormField } from '@/features/training'
import { errorMessage, type PrTrainingRun } from '@/lib/api'
import { useCheckpoints, useResumePrRun, runStamp } from '../hooks/queries'
import { latestCheckpoint, newTotalError, remainingEpochs } from '../hooks/resume'

/** Continue a stopped run from one of its checkpoints, optionally with a new total of epochs. */
export function ResumeDialog({ run, open, onOpenChange }: { run: PrTrainingRun; open: boolean; onOpenChange: (open: boolean) => void }) {
  const checkpoints = useCheckpoints(run.id, runStamp(run))
  const resume = useResumePrRun()
  const [picked, setPicked] = useState<number | null>(null)
  const [epochs, setEpochs] = useState('')
  const items = checkpoints.data ?? []
  const from = items.find((c) => c.id === picked) ?? latestCheckpoint(items)
  const error = newTotalError(epochs, from?.epoch ?? null)
  const left = remainingEpochs(run.total_epochs, from?.epoch ?? null, epochs)
  const submit = () =>
    resume.mutate(
      { id: run.id, checkpointId: picked, epochs: epochs.trim() === '' ? null : Number(epochs) },
      {
        onSuccess: (answer) => {
          toast.success(`Resuming “${run.name}”: ${answer.remaining_epochs ?? left} epochs to go`)
          onOpenChange(false)
        },
        onError: (e) => toast.error(errorMessage(e)),
      },
    )
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="resume-dialog">
        <DialogHeader>
          <DialogTitle>Resume “{run.name}”</DialogTitle>
          <DialogDescription>Training continues from the checkpoint's weights with the same data and schedule.</DialogDescription>
        </DialogHeader>
        <FormField id="resume-checkpoint" label="From checkpoint" field="checkpoint_id" errors={{}}>
          <Select value={from ? String(from.id) : ''} onValueChange={(v) => setPicked(Number(v))} disabled={items.length === 0}>
            <SelectTrigger id="resume-checkpoint" data-testid="resume-checkpoint">
              <SelectValue placeholder={items.length === 0 ? 'No checkpoint yet' : 'Latest'} />
            </SelectTrigger>
            <SelectContent>
              {[...items].sort((a, b) => b.epoch - a.epoch).map((c) => (
                <SelectItem key={c.id} value={String(c.id)}>
                  Epoch {c.epoch}
                  {c.is_best ? ' (best)' : ''}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </FormField>
        <FormField id="resume-epochs" label="Total epochs" field="epochs" errors={error ? { epochs: error } : {}} hint={`Empty keeps ${run.total_epochs}.`}>
          <Input id="resume-epochs" inputMode="numeric" value={epochs} onChange={(e) => setEpochs(e.target.value)} data-testid="resume-epochs" />
        </FormField>
        <p className="text-sm" data-testid="resume-remaining">
          {from ? `${left} ${left === 1 ? 'epoch' : 'epochs'} left after epoch ${from.epoch}.` : 'This run has no checkpoint to resume from.'}
        </p>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button onClick={submit} disabled={!from || error !== null || left === 0 || resume.isPending} data-testid="resume-confirm">
            {resume.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlayIcon aria-hidden />}
            Resume
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
