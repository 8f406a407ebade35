import { CpuIcon } from 'lucide-react'
import { Link } from 'react-router'
import { EmptyState } from '@/components/states'
import { Checkbox } from '@/components/ui/checkbox'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { TrainedModel } from '@/lib/api'
import { formatBytes, formatRelative } from '@/lib/format'
import { MAX_COMPARE } from '../hooks/compare'
import { ModelBadges } from './model-badges'

const HEADINGS = ['Model', 'Architecture', 'Trained on', 'mAP50-95', 'mAP50', 'Precision', 'Recall', 'Size', 'Created']

function metric(value: number | null | undefined): string {
  return typeof value === 'number' ? value.toFixed(3) : '—'
}

interface RowProps {
  model: TrainedModel
  picked: boolean
  canPick: boolean
  onPick: () => void
}

function ModelRow({ model, picked, canPick, onPick }: RowProps) {
  return (
    <TableRow data-testid={`model-row-${model.id}`}>
      <TableCell className="w-8">
        <Checkbox checked={picked} disabled={!picked && !canPick} onCheckedChange={onPick} aria-label={`Compare ${model.name}`} />
      </TableCell>
      <TableCell className="max-w-72">
        <div className="flex flex-col gap-1">
          <Link to={`/od/models/${model.id}`} className="truncate font-medium text-primary hover:underline">
            {model.name}
          </Link>
          <ModelBadges model={model} />
        </div>
      </TableCell>
      <TableCell className="font-mono text-xs">{model.architecture}</TableCell>
      <TableCell>{model.dataset_name ?? '—'}</TableCell>
      <TableCell className="tabular-nums font-medium">{metric(model.metrics?.map50_95)}</TableCell>
      <TableCell className="tabular-nums">{metric(model.metrics?.map50)}</TableCell>
      <TableCell className="tabular-nums">{metric(model.metrics?.precision)}</TableCell>
      <TableCell className="tabular-nums">{metric(model.metrics?.recall)}</TableCell>
      <TableCell className="tabular-nums">{model.artifact_size ? formatBytes(model.artifact_size) : '—'}</TableCell>
      <TableCell>{formatRelative(model.created_at)}</TableCell>
    </TableRow>
  )
}

interface TableProps {
  models: TrainedModel[]
  pending: boolean
  picked: number[]
  onPick: (id: number) => void
  filtered: boolean
}

/** Registered models with their test metrics; tick 2–5 to compare. */
export function ModelsTable({ models, pending, picked, onPick, filtered }: TableProps) {
  return (
    <Table aria-label="Models">
      <TableHeader className="bg-muted/40">
        <TableRow className="hover:bg-transparent">
          <TableHead>
            <span className="sr-only">Compare</span>
          </TableHead>
          {HEADINGS.map((h) => (
            <TableHead key={h}>{h}</TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {pending ? (
          Array.from({ length: 3 }, (_, i) => (
            <TableRow key={i}>
              <TableCell colSpan={HEADINGS.length + 1}>
                <Skeleton className="h-5 w-full" />
              </TableCell>
            </TableRow>
          ))
        ) : models.length === 0 ? (
          <TableRow className="hover:bg-transparent">
            <TableCell colSpan={HEADINGS.length + 1}>
              <EmptyState
                icon={<CpuIcon aria-hidden />}
                title={filtered ? 'No model matches these filters' : 'No models yet'}
                description="A training run registers its model here when it finishes."
              />
            </TableCell>
          </TableRow>
        ) : (
          models.map((m) => (
            <ModelRow key={m.id} model={m} picked={picked.includes(m.id)} canPick={picked.length < MAX_COMPARE} onPick={() => onPick(m.id)} />
          ))
        )}
      </TableBody>
    </Table>
  )
}
