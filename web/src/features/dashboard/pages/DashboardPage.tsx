import { FolderPlusIcon, PenToolIcon, UploadIcon } from 'lucide-react'
import type * as React from 'react'
import { Link } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { RecentJobs } from '../components/recent-jobs'
import { StatCards } from '../components/stat-cards'

interface QuickAction {
  label: string
  description: string
  to: string
  icon: React.ReactNode
}

const QUICK_ACTIONS: QuickAction[] = [
  { label: 'Upload images', description: 'Add shelf photos to the library', to: '/od/images', icon: <UploadIcon aria-hidden /> },
  { label: 'Create dataset', description: 'Group images for labelling', to: '/od/datasets', icon: <FolderPlusIcon aria-hidden /> },
  { label: 'Start annotating', description: 'Draw boxes on the next image', to: '/od/annotate', icon: <PenToolIcon aria-hidden /> },
]

const STEPS: { title: string; body: string }[] = [
  { title: 'Collect images', body: 'Upload shelf photos, import a folder or a zip, or sync from a bucket.' },
  { title: 'Define classes', body: 'Name the products and labels your detector should find.' },
  { title: 'Build a dataset', body: 'Pick images for a dataset and choose box or polygon labels.' },
  { title: 'Annotate', body: 'Label by hand, or let a model pre-label and review its suggestions.' },
  { title: 'Version and train', body: 'Freeze a version with train/val/test splits and train a detector on it.' },
  { title: 'Put models to work', body: 'Register the best model and use it to auto-annotate new images.' },
]

export function DashboardPage() {
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        className="mb-0"
        eyebrow="Object detection"
        title="Dashboard"
        description="Your shelf image library, datasets and models at a glance."
      />
      <StatCards />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)]">
        <div className="flex flex-col gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Quick actions</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-2">
              {QUICK_ACTIONS.map((action) => (
                <Link
                  key={action.to}
                  to={action.to}
                  className="flex items-center gap-3 rounded-md border px-3 py-2.5 transition-colors hover:border-primary/40 hover:bg-accent"
                >
                  <span className="flex size-8 items-center justify-center rounded-md bg-primary text-primary-foreground [&_svg]:size-4">
                    {action.icon}
                  </span>
                  <span className="flex flex-col">
                    <span className="text-sm font-medium">{action.label}</span>
                    <span className="text-xs text-muted-foreground">{action.description}</span>
                  </span>
                </Link>
              ))}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Getting started</CardTitle>
              <CardDescription>From photos to a working detector in six steps.</CardDescription>
            </CardHeader>
            <CardContent>
              <ol className="flex flex-col gap-3">
                {STEPS.map((step, index) => (
                  <li key={step.title} className="flex gap-3">
                    <span className="flex size-6 shrink-0 items-center justify-center rounded-full border text-xs font-semibold text-muted-foreground tabular-nums">
                      {index + 1}
                    </span>
                    <span className="flex flex-col">
                      <span className="text-sm font-medium">{step.title}</span>
                      <span className="text-xs text-muted-foreground">{step.body}</span>
                    </span>
                  </li>
                ))}
              </ol>
            </CardContent>
          </Card>
        </div>
        <RecentJobs />
      </div>
    </div>
  )
}
