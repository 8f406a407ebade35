import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { EmptyState } from '@/components/states'
import type { TrainingMetrics } from '@/lib/api'
import { epochPoints, hasValues, stepPoints, type EpochPoint } from '../hooks/charts'

const COLORS = { step: '#cbd5e1', train: '#4f46e5', val: '#f59e0b', map50: '#10b981', map50_95: '#0ea5e9' }

function axisDomain(totalEpochs: number): [number, number] {
  return [0, Math.max(1, totalEpochs)]
}

/** Per-step loss (thin, grey) under the per-epoch train and val loss, on one epoch axis. */
export function LossChart({ metrics, totalEpochs }: { metrics: TrainingMetrics; totalEpochs: number }) {
  const epochs = epochPoints(metrics.epochs)
  const steps = stepPoints(metrics.steps)
  if (steps.length === 0 && !hasValues(epochs, ['train_loss', 'val_loss'])) return <EmptyState title="No loss reported yet" />
  return (
    <div className="h-64 w-full" data-testid="loss-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis type="number" dataKey="x" domain={axisDomain(totalEpochs)} allowDecimals={false} tick={{ fontSize: 12 }} label={{ value: 'epoch', position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
          <YAxis tick={{ fontSize: 12 }} width={52} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(x) => `epoch ${x}`} />
          <Legend />
          <Line data={steps} dataKey="loss" name="step loss" stroke={COLORS.step} dot={false} strokeWidth={1} isAnimationActive={false} />
          <Line data={asX(epochs)} dataKey="train_loss" name="train loss" stroke={COLORS.train} strokeWidth={2} isAnimationActive={false} connectNulls />
          <Line data={asX(epochs)} dataKey="val_loss" name="val loss" stroke={COLORS.val} strokeWidth={2} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}

function asX(points: EpochPoint[]): (EpochPoint & { x: number })[] {
  return points.map((p) => ({ ...p, x: p.epoch }))
}

/** Val mAP50 and mAP50-95 per epoch, on 0..1. */
export function MapChart({ metrics, totalEpochs }: { metrics: TrainingMetrics; totalEpochs: number }) {
  const epochs = asX(epochPoints(metrics.epochs))
  if (!hasValues(epochs, ['map50', 'map50_95'])) return <EmptyState title="No validation yet" description="mAP appears after the first epoch." />
  return (
    <div className="h-64 w-full" data-testid="map-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={epochs} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis type="number" dataKey="x" domain={axisDomain(totalEpochs)} allowDecimals={false} tick={{ fontSize: 12 }} />
          <YAxis domain={[0, 1]} tick={{ fontSize: 12 }} width={40} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} labelFormatter={(x) => `epoch ${x}`} />
          <Legend />
          <Line dataKey="map50" name="mAP50" stroke={COLORS.map50} strokeWidth={2} isAnimationActive={false} connectNulls />
          <Line dataKey="map50_95" name="mAP50-95" stroke={COLORS.map50_95} strokeWidth={2} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}
