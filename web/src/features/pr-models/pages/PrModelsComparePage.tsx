import type * as React from 'react'
import { ArrowLeftIcon } from 'lucide-react'
import { Link, useSearchParams } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { MAX_COMPARE, MIN_COMPARE, parseCompareIds } from '@/features/models'
import { CompareChart, CompareTable } from '../components/compare-table'
import { VisualCompare } from '../components/visual-compare'
import { useModelComparison } from '../hooks/queries'

function Header() {
  return (
    <>
      <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
        <Link to="/models">
          <ArrowLeftIcon aria-hidden /> All models
        </Link>
      </Button>
      <PageHeader eyebrow="Product recognition · Models" title="Compare models" description="Test metrics aligned, as a chart, and the same queries through each model. Models from different runs were tested on different products." />
    </>
  )
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card className="mb-4">
      <CardHeader><CardTitle>{title}</CardTitle></CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  )
}

/** 2–5 embedding models side by side: the metrics table and chart, and a visual comparison. */
export function PrModelsComparePage() {
  const [search] = useSearchParams()
  const ids = parseCompareIds(search.get('ids'))
  const enough = ids.length >= MIN_COMPARE
  const comparison = useModelComparison(ids, enough)
  let body: React.ReactNode
  if (!enough) body = <ErrorState error={new Error(`Pick ${MIN_COMPARE} to ${MAX_COMPARE} models on the models page.`)} />
  else if (comparison.isPending) body = <LoadingState />
  else if (comparison.isError) body = <ErrorState error={comparison.error} onRetry={() => void comparison.refetch()} />
  else
    body = (
      <>
        <Section title="Test metrics"><CompareTable comparison={comparison.data} /></Section>
        <Section title="Chart"><CompareChart comparison={comparison.data} /></Section>
        <Section title="Visual comparison"><VisualCompare ids={ids} /></Section>
      </>
    )
  return (
    <div>
      <Header />
      {body}
    </div>
  )
}
