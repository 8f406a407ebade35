import { CheckCircle2Icon, CircleDashedIcon, Loader2Icon, XCircleIcon, BanIcon } from 'lucide-react'
import { Badge, type BadgeProps } from '@/components/ui/badge'
import type { JobStatus } from '@/lib/api'

const STATUS_STYLE: Record<JobStatus, { label: string; variant: NonNullable<BadgeProps['variant']> }> = {
  queued: { label: 'Queued', variant: 'secondary' },
  running: { label: 'Running', variant: 'info' },
  succeeded: { label: 'Succeeded', variant: 'success' },
  failed: { label: 'Failed', variant: 'destructive' },
  cancelled: { label: 'Cancelled', variant: 'warning' },
}

function StatusIcon({ status }: { status: JobStatus }) {
  switch (status) {
    case 'queued':
      return <CircleDashedIcon aria-hidden />
    case 'running':
      return <Loader2Icon className="animate-spin" aria-hidden />
    case 'succeeded':
      return <CheckCircle2Icon aria-hidden />
    case 'failed':
      return <XCircleIcon aria-hidden />
    case 'cancelled':
      return <BanIcon aria-hidden />
  }
}

export function JobStatusBadge({ status, cancelRequested = false }: { status: JobStatus; cancelRequested?: boolean }) {
  const style = STATUS_STYLE[status] ?? { label: status, variant: 'outline' as const }
  const label = cancelRequested && (status === 'queued' || status === 'running') ? 'Cancelling' : style.label
  return (
    <Badge variant={style.variant} data-testid="job-status" data-status={status}>
      <StatusIcon status={status} />
      {label}
    </Badge>
  )
}
