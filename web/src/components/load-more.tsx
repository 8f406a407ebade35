import { useEffect, useRef } from 'react'
import { Loader2Icon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { formatCount } from '@/lib/format'

interface LoadMoreProps {
  shown: number
  total: number | null
  hasMore: boolean
  loading: boolean
  onMore: () => void
  /** Fetch the next page when the row scrolls into view (a plain button otherwise). */
  auto?: boolean
  noun?: string
}

/** "Showing 50 of 1,204" and the next page of a keyset list: on click, and as it scrolls into view. */
export function LoadMore({ shown, total, hasMore, loading, onMore, auto = true, noun = 'items' }: LoadMoreProps) {
  const sentinel = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const node = sentinel.current
    if (!auto || !hasMore || loading || !node || typeof IntersectionObserver === 'undefined') return
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onMore()
    })
    observer.observe(node)
    return () => observer.disconnect()
  }, [auto, hasMore, loading, onMore])
  return (
    <div ref={sentinel} className="flex items-center justify-between gap-3 px-3 py-3 text-sm text-muted-foreground" data-testid="load-more-row">
      <span data-testid="shown-count">
        Showing {formatCount(shown)}
        {total !== null ? ` of ${formatCount(total)}` : ''} {noun}
      </span>
      {hasMore ? (
        <Button variant="outline" size="sm" onClick={onMore} disabled={loading} data-testid="load-more">
          {loading ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
          Load more
        </Button>
      ) : null}
    </div>
  )
}
