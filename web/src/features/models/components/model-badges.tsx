import { StarIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import type { TrainedModel } from '@/lib/api'

/** "Default" (preselected for AI auto-annotation) and active/inactive. */
export function ModelBadges({ model }: { model: Pick<TrainedModel, 'is_default' | 'is_active'> }) {
  return (
    <span className="inline-flex gap-1">
      {model.is_default ? (
        <Badge variant="default" data-testid="badge-default">
          <StarIcon aria-hidden /> Default
        </Badge>
      ) : null}
      {model.is_active ? (
        <Badge variant="success" data-testid="badge-active">
          Active
        </Badge>
      ) : (
        <Badge variant="secondary" data-testid="badge-inactive">
          Inactive
        </Badge>
      )}
    </span>
  )
}
