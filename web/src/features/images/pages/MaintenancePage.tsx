/** Admin maintenance: checks of the image store that only an admin should start. */
import { ShieldAlertIcon } from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { EmptyState, LoadingState } from '@/components/states'
import { Card } from '@/components/ui/card'
import { useSession } from '@/features/auth'
import { VerifyStorageCard } from '../components/verify-storage-card'

export function MaintenancePage() {
  const session = useSession()
  return (
    <div>
      <PageHeader title="Maintenance" description="Checks and repairs of the image store. Admins only." />
      {session.isPending ? (
        <LoadingState />
      ) : session.data?.user.role !== 'admin' ? (
        <Card>
          <EmptyState
            icon={<ShieldAlertIcon aria-hidden />}
            title="Only admins can run maintenance"
            description="Ask an admin to verify storage or rebuild thumbnails."
          />
        </Card>
      ) : (
        <VerifyStorageCard />
      )}
    </div>
  )
}
