import type { ReactNode } from 'react'
import { BarChart3Icon, CheckCircle2Icon, ImageIcon, SquareDashedIcon, TagsIcon } from 'lucide-react'
import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { EmptyState, ErrorState } from '@/components/states'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Progress } from '@/components/ui/progress'
import { Skeleton } from '@/components/ui/skeleton'
import type { DatasetImageStatus, DatasetStats } from '@/lib/api'
import { formatCount, formatPercent } from '@/lib/format'
import { useDatasetStats } from '../hooks/datasets'

export const STATUS_META: Record<DatasetImageStatus, { label: string; color: string }> = {
  new: { label: 'New', color: '#94a3b8' },
  in_progress: { label: 'In progress', color: '#0ea5e9' },
  completed: { label: 'Completed', color: '#10b981' },
  skipped: { label: 'Skipped', color: '#f59e0b' },
}

function StatCard({
  label,
  value,
  icon: Icon,
  children,
  testId,
}: {
  label: string
  value: string | undefined
  icon: typeof ImageIcon
  children?: ReactNode
  testId: string
}) {
  return (
    <Card>
      <CardContent className="flex flex-col gap-2 p-4">
        <div className="flex items-center justify-between text-sm text-muted-foreground">
          {label}
          <Icon className="size-4" aria-hidden />
        </div>
        {value === undefined ? (
          <Skeleton className="h-8 w-16" />
        ) : (
          <div className="text-2xl font-semibold tabular-nums" data-testid={testId}>
            {value}
          </div>
        )}
        {children}
      </CardContent>
    </Card>
  )
}

function ClassDistribution({ stats }: { stats: DatasetStats }) {
  const data = stats.class_distribution.slice(0, 20)
  if (data.length === 0) {
    return (
      <EmptyState
        icon={<BarChart3Icon aria-hidden />}
        title="No annotations yet"
        description="The class distribution appears once images are labelled."
        className="py-6"
      />
    )
  }
  return (
    <div style={{ height: Math.max(140, data.length * 34 + 40) }} data-testid="class-distribution-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16, top: 4, bottom: 4 }}>
          <CartesianGrid horizontal={false} strokeDasharray="3 3" className="stroke-border" />
          <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
          <YAxis
            type="category"
            dataKey="label"
            width={130}
            tick={{ fontSize: 12 }}
            tickFormatter={(label: string) => (label.length > 18 ? `${label.slice(0, 17)}…` : label)}
          />
          <Tooltip
            formatter={(value, _name, item) => [
              `${formatCount(Number(value))} (${(item.payload as { percent: number }).percent.toFixed(1)}%)`,
              'Annotations',
            ]}
          />
          <Bar dataKey="value" radius={[0, 4, 4, 0]} maxBarSize={24} isAnimationActive={false}>
            {data.map((point) => (
              <Cell key={point.class_id} fill={point.color} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}

function StatusBreakdown({ stats }: { stats: DatasetStats }) {
  const data = (Object.keys(STATUS_META) as DatasetImageStatus[]).map((status) => ({
    status,
    name: STATUS_META[status].label,
    value: stats.images_by_status[status],
    color: STATUS_META[status].color,
  }))
  if (stats.image_count === 0) {
    return <EmptyState icon={<ImageIcon aria-hidden />} title="No images yet" className="py-6" />
  }
  return (
    <div className="flex items-center gap-4" data-testid="status-chart">
      <div className="h-48 w-48 shrink-0">
        <ResponsiveContainer width="100%" height="100%">
          <PieChart>
            <Pie
              data={data.filter((d) => d.value > 0)}
              dataKey="value"
              nameKey="name"
              innerRadius={48}
              outerRadius={80}
              paddingAngle={1}
              isAnimationActive={false}
            >
              {data
                .filter((d) => d.value > 0)
                .map((d) => (
                  <Cell key={d.status} fill={d.color} />
                ))}
            </Pie>
            <Tooltip formatter={(value) => formatCount(Number(value))} />
          </PieChart>
        </ResponsiveContainer>
      </div>
      <ul className="flex flex-col gap-2 text-sm">
        {data.map((d) => (
          <li key={d.status} className="flex items-center gap-2" data-testid={`status-${d.status}`}>
            <span className="size-2.5 rounded-full" style={{ backgroundColor: d.color }} aria-hidden />
            <span className="w-24 text-muted-foreground">{d.name}</span>
            <span className="font-medium tabular-nums">{formatCount(d.value)}</span>
          </li>
        ))}
      </ul>
    </div>
  )
}

export function OverviewTab({ datasetId }: { datasetId: number }) {
  const stats = useDatasetStats(datasetId)
  if (stats.isError) return <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
  const s = stats.data
  return (
    <div className="flex flex-col gap-4" data-testid="dataset-overview">
      <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
        <StatCard label="Images" value={s && formatCount(s.image_count)} icon={ImageIcon} testId="stat-dataset-images" />
        <StatCard label="Annotations" value={s && formatCount(s.annotation_count)} icon={SquareDashedIcon} testId="stat-dataset-annotations" />
        <StatCard label="Progress" value={s && formatPercent(s.progress)} icon={CheckCircle2Icon} testId="stat-dataset-progress">
          {s ? <Progress value={s.progress * 100} /> : null}
        </StatCard>
        <StatCard label="Classes used" value={s && formatCount(s.annotations_by_class.length)} icon={TagsIcon} testId="stat-dataset-classes" />
      </div>
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1.4fr)_minmax(0,1fr)]">
        <Card>
          <CardHeader>
            <CardTitle>Class distribution</CardTitle>
            <CardDescription>Annotations per class{s && s.class_distribution.length > 20 ? ' (top 20)' : ''}</CardDescription>
          </CardHeader>
          <CardContent>{s ? <ClassDistribution stats={s} /> : <Skeleton className="h-64" />}</CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Status</CardTitle>
            <CardDescription>Where each image is in the labelling workflow</CardDescription>
          </CardHeader>
          <CardContent>{s ? <StatusBreakdown stats={s} /> : <Skeleton className="h-48" />}</CardContent>
        </Card>
      </div>
      {s ? (
        <Card>
          <CardHeader>
            <CardTitle>Splits</CardTitle>
            <CardDescription>Train / validation / test assignment of the images</CardDescription>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
              {(
                [
                  ['Train', s.splits.train],
                  ['Validation', s.splits.val],
                  ['Test', s.splits.test],
                  ['Unassigned', s.splits.unassigned],
                ] as const
              ).map(([label, value]) => (
                <div key={label} className="rounded-md border bg-muted/30 px-3 py-2">
                  <dt className="text-xs text-muted-foreground">{label}</dt>
                  <dd className="text-lg font-semibold tabular-nums">{formatCount(value)}</dd>
                </div>
              ))}
            </dl>
          </CardContent>
        </Card>
      ) : null}
    </div>
  )
}
