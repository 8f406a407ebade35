import { CpuIcon, Loader2Icon } from 'lucide-react'
import { Link } from 'react-router'
import { EmptyState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Checkbox } from '@/components/ui/checkbox'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { MAX_COMPARE } from '@/features/models'
import type { PrModel } from '@/lib/api'
import { formatBytes, formatRelative } from '@/lib/format'
import { percent } from '../hooks/metrics'

const HEADINGS = ['Model', 'Backbone', 'Embedding', 'R@1', 'R@5', 'R@10', 'mAP@R', 'From run', 'Size', 'Created']

export function ModelStatus({ model }: { model: Pick<PrModel, 'status'> }) {
  return model.status === 'evaluating' ? (
    <Badge variant="info" data-testid="model-status" data-status="evaluating">
      <Loader2Icon className="animate-spin" aria-hidden /> evaluating
    </Badge>
  ) : (
    <Badge variant="success" data-testid="model-status" data-status="ready">ready</Badge>
  )
}

function ModelRow({ model: m, picked, canPick, onPick }: { model: PrModel; picked: boolean; canPick: boolean; onPick: () => void }) {
  const t = m.test_metrics
  return (
    <TableRow data-testid="pr-model-row" data-model-id={m.id}>
      <TableCell className="w-8">
        <Checkbox checked={picked} disabled={!picked && !canPick} onCheckedChange={onPick} aria-label={`Compare ${m.name}`} data-testid="pick-model" />
      </TableCell>
      <TableCell className="max-w-72">
        <div className="flex items-center gap-2">
          <Link to={`/models/${m.id}`} className="truncate font-medium text-primary hover:underline">{m.name}</Link>
          <ModelStatus model={m} />
        </div>
      </TableCell>
      <TableCell className="font-mono text-xs">{m.backbone}</TableCell>
      <TableCell className="tabular-nums">{m.embedding_dim}-d · {m.image_size} px</TableCell>
      <TableCell className="tabular-nums font-medium">{percent(t?.recall_at_1)}</TableCell>
      <TableCell className="tabular-nums">{percent(t?.recall_at_5)}</TableCell>
      <TableCell className="tabular-nums">{percent(t?.recall_at_10)}</TableCell>
      <TableCell className="tabular-nums">{percent(t?.map_at_r)}</TableCell>
      <TableCell className="max-w-48 truncate">
        {m.run_id !== null ? <Link to={`/training/${m.run_id}`} className="hover:underline">{m.run_name ?? `Run #${m.run_id}`}</Link> : 'Deleted run'}
        {m.epoch !== null ? <span className="text-muted-foreground"> · epoch {m.epoch}</span> : null}
      </TableCell>
      <TableCell className="tabular-nums">{formatBytes(m.size_bytes)}</TableCell>
      <TableCell>{formatRelative(m.created_at)}</TableCell>
    </TableRow>
  )
}

/** Registered embedding models with their test metrics; tick 2–5 to compare. */
export function ModelsTable({ models, pending, picked, onPick }: { models: PrModel[]; pending: boolean; picked: number[]; onPick: (id: number) => void }) {
  return (
    <Table aria-label="Embedding models">
      <TableHeader className="bg-muted/40">
        <TableRow className="hover:bg-transparent">
          <TableHead><span className="sr-only">Compare</span></TableHead>
          {HEADINGS.map((h) => <TableHead key={h}>{h}</TableHead>)}
        </TableRow>
      </TableHeader>
      <TableBody>
        {pending ? (
          Array.from({ length: 3 }, (_, i) => (
            <TableRow key={i}>
              <TableCell colSpan={HEADINGS.length + 1}><Skeleton className="h-5 w-full" /></TableCell>
            </TableRow>
          ))
        ) : models.length === 0 ? (
          <TableRow className="hover:bg-transparent">
            <TableCell colSpan={HEADINGS.length + 1}>
              <EmptyState icon={<CpuIcon aria-hidden />} title="No embedding models yet" description="Register a checkpoint of a training run as a model from the run's Checkpoints tab." />
            </TableCell>
          </TableRow>
        ) : (
          models.map((m) => <ModelRow key={m.id} model={m} picked={picked.includes(m.id)} canPick={picked.length < MAX_COMPARE} onPick={() => onPick(m.id)} />)
        )}
      </TableBody>
    </Table>
  )
}
