import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { EmptyState } from '@/components/states'
import { DOMAIN_COLOR, DOMAIN_LABEL } from '@/features/products'
import type { PrDatasetStats, ProductDomain } from '@/lib/api'
import { formatCount } from '@/lib/format'
import { distributionBars, domainBars } from '../hooks/logic'

const INCLUDED = '#4f46e5'
const EXCLUDED = '#f87171'

/** Counted images per domain, one coloured bar each. */
export function DomainChart({ stats, domains }: { stats: PrDatasetStats; domains: ProductDomain[] }) {
  const data = domainBars(stats, domains).map((b) => ({ ...b, label: DOMAIN_LABEL[b.domain] }))
  if (data.every((d) => d.images === 0)) return <EmptyState title="No images counted yet" description="Add images to the products in the counted domains." />
  return (
    <div className="h-56 w-full" data-testid="domain-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} />
          <YAxis tick={{ fontSize: 12 }} width={48} allowDecimals={false} />
          <Tooltip formatter={(v) => [formatCount(Number(v)), 'images']} />
          <Bar dataKey="images" isAnimationActive={false} radius={[4, 4, 0, 0]}>
            {data.map((d) => (
              <Cell key={d.domain} fill={DOMAIN_COLOR[d.domain]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}

/** How many products have k counted images; bars below the minimum (excluded products) in red. */
export function DistributionChart({ stats, minImages }: { stats: PrDatasetStats; minImages: number }) {
  const data = distributionBars(stats.distribution, minImages)
  if (data.length === 0) return <EmptyState title="No products in this dataset" />
  return (
    <div className="flex flex-col gap-1">
      <div className="h-56 w-full" data-testid="distribution-chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 12, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} label={{ value: 'images per product', position: 'insideBottom', offset: -8, fontSize: 11 }} />
            <YAxis tick={{ fontSize: 12 }} width={40} allowDecimals={false} />
            <Tooltip formatter={(v) => [formatCount(Number(v)), 'products']} labelFormatter={(l) => `${String(l)} images`} />
            <Bar dataKey="products" isAnimationActive={false} radius={[4, 4, 0, 0]}>
              {data.map((d) => (
                <Cell key={`${d.from}-${d.excluded}`} fill={d.excluded ? EXCLUDED : INCLUDED} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <p className="flex gap-4 text-xs text-muted-foreground">
        <span className="flex items-center gap-1">
          <span className="size-2.5 rounded-sm" style={{ backgroundColor: INCLUDED }} aria-hidden /> included
        </span>
        <span className="flex items-center gap-1">
          <span className="size-2.5 rounded-sm" style={{ backgroundColor: EXCLUDED }} aria-hidden /> excluded (fewer than {minImages})
        </span>
      </p>
    </div>
  )
}
