import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import type { EmbeddingCollection } from '@/lib/api'
import { formatCount } from '@/lib/format'

/** Which collection's candidates to work through. */
export function CollectionPicker({ collections, value, onChange }: { collections: EmbeddingCollection[]; value: number | null; onChange: (id: number) => void }) {
  return (
    <Select value={value !== null ? String(value) : ''} onValueChange={(v) => onChange(Number(v))}>
      <SelectTrigger className="w-96" aria-label="Collection" data-testid="match-collection-picker">
        <SelectValue placeholder="Choose a collection" />
      </SelectTrigger>
      <SelectContent>
        {collections.map((c) => (
          <SelectItem key={c.id} value={String(c.id)}>
            <span className="font-mono">{c.name}</span> <span className="text-xs text-muted-foreground" title={`${formatCount(c.vector_count)} vectors`}>· {c.model_name}</span>
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}
