import { CpuIcon, FolderOpenIcon, ImageIcon, SquareDashedMousePointerIcon, TagsIcon } from 'lucide-react'
import type * as React from 'react'
import { Link } from 'react-router'
import { ErrorState } from '@/components/states'
import { Card } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import type { OdStats } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { useOdStats } from '@/features/system'

interface StatDef {
  key: keyof Omit<OdStats, 'jobs_running'>
  label: string
  to: string
  icon: React.ReactNode
}

const STATS: StatDef[] = [
  { key: 'images', label: 'Images', to: '/od/images', icon: <ImageIcon aria-hidden /> },
  { key: 'datasets', label: 'Datasets', to: '/od/datasets', icon: <FolderOpenIcon aria-hidden /> },
  { key: 'annotations', label: 'Annotations', to: '/od/annotate', icon: <SquareDashedMousePointerIcon aria-hidden /> },
  { key: 'classes', label: 'Classes', to: '/od/classes', icon: <TagsIcon aria-hidden /> },
  { key: 'models', label: 'Models', to: '/od/models', icon: <CpuIcon aria-hidden /> },
]

export function StatCards() {
  const stats = useOdStats()
  if (stats.isError) {
    return (
      <Card>
        <ErrorState error={stats.error} title="Could not load the counts" onRetry={() => void stats.refetch()} />
      </Card>
    )
  }
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5" aria-label="Library statistics">
      {STATS.map((stat) => (
        <Link key={stat.key} to={stat.to} className="group rounded-lg focus-visible:ring-2 focus-visible:ring-ring/40 focus-visible:outline-none">
          <Card className="flex items-start justify-between gap-3 p-4 transition-colors group-hover:border-primary/40" data-testid={`stat-${stat.key}`}>
            <div className="flex flex-col gap-1.5">
              <span className="text-xs font-medium text-muted-foreground">{stat.label}</span>
              {stats.isPending ? (
                <Skeleton className="h-7 w-16" />
              ) : (
                <span className="text-2xl font-semibold tabular-nums" data-testid={`stat-${stat.key}-value`}>
                  {formatCount(stats.data[stat.key])}
                </span>
              )}
            </div>
            <span className="flex size-8 items-center justify-center rounded-md bg-primary/8 text-primary [&_svg]:size-4">
              {stat.icon}
            </span>
          </Card>
        </Link>
      ))}
    </div>
  )
}
