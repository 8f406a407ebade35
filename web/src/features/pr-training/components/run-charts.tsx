import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { EmptyState } from '@/components/states'
import { hasValues } from '@/features/training'
import { formatLr, type HistoryPoint, type Series } from '../hooks/charts'

interface LineSpec {
  key: Series
  name: string
  color: string
  width?: number
}

const LOSS_LINES: LineSpec[] = [
  { key: 'loss', name: 'total', color: '#4f46e5', width: 2.5 },
  { key: 'loss_arcface', name: 'ArcFace', color: '#f59e0b' },
  { key: 'loss_triplet', name: 'triplet', color: '#10b981' },
  { key: 'loss_domain', name: 'domain', color: '#ec4899' },
]

const LR_LINES: LineSpec[] = [
  { key: 'lr', name: 'head LR', color: '#4f46e5' },
  { key: 'backbone_lr', name: 'backbone LR (top layer)', color: '#0ea5e9' },
]

const RETRIEVAL_LINES: LineSpec[] = [
  { key: 'val_recall_at_1', name: 'R@1', color: '#10b981', width: 2.5 },
  { key: 'val_recall_at_5', name: 'R@5', color: '#0ea5e9' },
  { key: 'val_map_at_r', name: 'mAP@R', color: '#f59e0b' },
]

interface ChartProps {
  points: HistoryPoint[]
  totalEpochs: number
}

function EpochChart({ points, totalEpochs, lines, testId, unitRange, log }: ChartProps & { lines: LineSpec[]; testId: string; unitRange?: boolean; log?: boolean }) {
  const drawn = lines.filter((l) => hasValues(points, [l.key]) && (!log || points.some((p) => (p[l.key] ?? 0) > 0)))
  const format = log ? formatLr : unitRange ? (v: number) => v.toFixed(2) : (v: number) => String(Number(v.toPrecision(3)))
  return (
    <div className="h-64 w-full" data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis type="number" dataKey="epoch" domain={[Math.min(1, points[0]?.epoch ?? 1), Math.max(2, totalEpochs)]} allowDecimals={false} tick={{ fontSize: 12 }} />
          <YAxis
            tick={{ fontSize: 12 }}
            width={56}
            domain={unitRange ? [0, 1] : log ? ['auto', 'auto'] : [0, 'auto']}
            scale={log ? 'log' : 'auto'}
            tickFormatter={(v: number) => format(v)}
          />
          <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} labelFormatter={(x) => `epoch ${x}`} />
          <Legend />
          {drawn.map((l) => (
            <Line key={l.key} dataKey={l.key} name={l.name} stroke={l.color} strokeWidth={l.width ?? 1.5} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}

/** Total loss and its parts (ArcFace, triplet, domain) per epoch. */
export function LossChart(props: ChartProps) {
  if (!hasValues(props.points, ['loss', 'loss_arcface', 'loss_triplet', 'loss_domain'])) return <EmptyState title="No loss reported yet" description="It appears when the first epoch ends." />
  return <EpochChart {...props} lines={LOSS_LINES} testId="pr-loss-chart" />
}

/** The head's and the backbone's learning rate at each epoch's end (log scale): warmup, then cosine. */
export function LrChart(props: ChartProps) {
  if (!hasValues(props.points, ['lr', 'backbone_lr'])) return <EmptyState title="No learning rate reported yet" />
  return <EpochChart {...props} lines={LR_LINES} testId="pr-lr-chart" log />
}

/** Validation Recall@1, Recall@5 and mAP@R per epoch, on 0..1. */
export function RetrievalChart(props: ChartProps) {
  if (!hasValues(props.points, ['val_recall_at_1', 'val_recall_at_5', 'val_map_at_r'])) return <EmptyState title="No validation yet" description="Recall@K appears after the first epoch." />
  return <EpochChart {...props} lines={RETRIEVAL_LINES} testId="pr-retrieval-chart" unitRange />
}
