import { InfoIcon } from 'lucide-react'
import { Card, CardContent } from '@/components/ui/card'

/** Where the weights come from, and the offline way to provide them. */
export function WeightsNote({ modelsFolder }: { modelsFolder: string | null }) {
  const folder = modelsFolder ?? 'DATA_DIR/models'
  return (
    <Card className="mb-4" data-testid="weights-note">
      <CardContent className="flex gap-3 py-4 text-sm text-muted-foreground">
        <InfoIcon className="mt-0.5 size-4 shrink-0" aria-hidden />
        <div className="flex flex-col gap-2">
          <p>
            Grounding DINO 1.5 is not among these: its weights are not public (its vendor serves it through an API
            only). Shelfscope ships the open <span className="text-foreground">Grounding DINO</span> and{' '}
            <span className="text-foreground">MM-Grounding-DINO</span> weights instead.
          </p>
          <p>
            No internet on the server? Copy a folder written by <code>save_pretrained</code> (config.json and
            weights) to <code className="text-foreground">{folder}/&lt;key&gt;</code>, or run{' '}
            <code className="text-foreground">shelfscope models import KEY FOLDER</code> on the server.
          </p>
        </div>
      </CardContent>
    </Card>
  )
}
