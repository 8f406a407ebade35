import { PackageIcon } from 'lucide-react'
import { Link } from 'react-router'
import type { MatchCandidate } from '@/lib/api'
import { cn } from '@/lib/utils'
import { MAX_PICK_KEY, similarityText } from '../hooks/keys'

function Packshot({ url, name }: { url: string | null; name: string }) {
  return (
    <div className="flex size-16 shrink-0 items-center justify-center overflow-hidden rounded-sm border bg-muted">
      {url ? (
        <img src={url} alt={`Packshot of ${name}`} className="max-h-full max-w-full object-contain" draggable={false} data-testid="candidate-packshot" />
      ) : (
        <PackageIcon className="size-6 text-muted-foreground" aria-label="No image" />
      )}
    </div>
  )
}

function Candidate({ candidate: c, keyNumber, disabled, onPick }: { candidate: MatchCandidate; keyNumber: number | null; disabled: boolean; onPick: () => void }) {
  return (
    <li>
      <button
        type="button"
        onClick={onPick}
        disabled={disabled}
        className="group flex w-full items-center gap-3 rounded-md border bg-card p-1.5 text-left transition-colors outline-none hover:border-primary hover:bg-primary/5 focus-visible:ring-2 focus-visible:ring-ring/40 disabled:opacity-60"
        data-testid="candidate"
        data-rank={c.rank}
        data-sku={c.product.sku}
        aria-label={`Pick ${c.product.name} (${c.product.sku})${keyNumber ? `, key ${keyNumber}` : ''}`}
      >
        <kbd className={cn('flex size-6 shrink-0 items-center justify-center rounded border bg-muted font-mono text-xs', !keyNumber && 'invisible')}>{keyNumber}</kbd>
        <Packshot url={c.packshot_url} name={c.product.name} />
        <span className="flex min-w-0 flex-1 flex-col gap-0.5">
          <span className="truncate text-sm font-medium">{c.product.name}</span>
          <span className="truncate text-xs text-muted-foreground">
            <span className="font-mono">{c.product.sku}</span>
            {c.product.brand ? ` · ${c.product.brand}` : ''}
          </span>
          <span className="mt-1 flex items-center gap-2">
            <span className="h-1.5 flex-1 overflow-hidden rounded-full bg-muted">
              <span className="block h-full rounded-full bg-primary" style={{ width: `${Math.max(0, Math.min(1, c.similarity)) * 100}%` }} />
            </span>
            <span className="text-xs font-medium tabular-nums" data-testid="candidate-similarity">{similarityText(c.similarity)}</span>
          </span>
        </span>
      </button>
      <Link to={`/products/${c.product.id}`} className="sr-only">Open {c.product.name}</Link>
    </li>
  )
}

/** The cutout's most similar products, best first, each with its packshot; keys 1–5 pick them. */
export function CandidateList({ candidates, disabled, onPick }: { candidates: MatchCandidate[]; disabled: boolean; onPick: (c: MatchCandidate) => void }) {
  if (candidates.length === 0)
    return <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground" data-testid="no-candidates">No candidates for this cutout yet: extract its embedding, or search for the product.</p>
  return (
    <ol className="flex flex-col gap-2" aria-label="Candidates" data-testid="candidates">
      {candidates.map((c, i) => (
        <Candidate key={c.product.id} candidate={c} keyNumber={i < MAX_PICK_KEY ? i + 1 : null} disabled={disabled} onPick={() => onPick(c)} />
      ))}
    </ol>
  )
}
