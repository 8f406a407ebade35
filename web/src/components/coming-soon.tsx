import type * as React from 'react'
import { ConstructionIcon } from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'

interface ComingSoonProps {
  title: string
  eyebrow?: string
  /** Which piece of work brings this page, e.g. "the image library issue". */
  comingWith: string
  /** One sentence on what the page will do. */
  summary: string
  children?: React.ReactNode
}

/** An honest placeholder for a page whose capability has not been built yet. */
export function ComingSoon({ title, eyebrow, comingWith, summary, children }: ComingSoonProps) {
  return (
    <div>
      <PageHeader title={title} eyebrow={eyebrow} />
      <Card className="max-w-2xl" data-testid="coming-soon">
        <CardHeader className="flex-row items-start gap-3">
          <div className="flex size-9 shrink-0 items-center justify-center rounded-md bg-muted text-muted-foreground">
            <ConstructionIcon className="size-4" aria-hidden />
          </div>
          <div className="flex flex-col gap-1">
            <CardTitle>Coming with {comingWith}</CardTitle>
            <CardDescription>{summary}</CardDescription>
          </div>
        </CardHeader>
        {children ? <CardContent>{children}</CardContent> : null}
      </Card>
    </div>
  )
}
