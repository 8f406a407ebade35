import { ComingSoon } from '@/components/coming-soon'

export function ClassesPage() {
  return (
    <ComingSoon
      eyebrow="Object detection"
      title="Classes"
      comingWith="the classes issue"
      summary="Manage the global list of detection classes: colours, categories and aliases, with rename, merge and delete tracked in an audit log."
    />
  )
}
