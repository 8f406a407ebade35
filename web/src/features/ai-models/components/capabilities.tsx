import { Badge } from '@/components/ui/badge'
import type { AiModelCapability } from '@/lib/api'

export const CAPABILITY_LABELS: Record<AiModelCapability, string> = {
  text_prompt: 'Text prompt',
  open_vocabulary: 'Open vocabulary',
  image_query: 'Query by image',
  point_prompt: 'Point prompt',
  box_prompt: 'Box prompt',
  auto_masks: 'Automatic masks',
  image_embedding: 'Image embedding',
  fixed_classes: 'Trained classes',
}

/** What a model can be asked, as small badges. */
export function Capabilities({ capabilities }: { capabilities: readonly AiModelCapability[] }) {
  return (
    <div className="flex flex-wrap gap-1">
      {capabilities.map((capability) => (
        <Badge key={capability} variant="secondary">
          {CAPABILITY_LABELS[capability] ?? capability}
        </Badge>
      ))}
    </div>
  )
}
