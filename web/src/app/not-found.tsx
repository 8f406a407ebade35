import { Link } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { Button } from '@/components/ui/button'

export function NotFoundPage() {
  return (
    <div>
      <PageHeader title="Page not found" description="There is no page at this address." />
      <Button asChild variant="outline">
        <Link to="/od">Go to the dashboard</Link>
      </Button>
    </div>
  )
}
