import { useState } from 'react'
import { CheckIcon, CopyIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import type { IssuedSetupLink } from '../types'

function formatExpiry(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}

/** A freshly issued one-time link with a copy button: the only time it can be seen. */
export function SetupLinkCard({ issued }: { issued: IssuedSetupLink }) {
  const [copied, setCopied] = useState(false)
  const name = issued.user.display_name || issued.user.username
  const copy = () => {
    const clipboard = navigator.clipboard as Clipboard | undefined
    if (!clipboard) return toast.error('This browser cannot copy here; select the link and copy it by hand.')
    void clipboard.writeText(issued.setup_link).then(
      () => {
        setCopied(true)
        toast.success('Link copied')
      },
      () => toast.error('Copying was refused; select the link and copy it by hand.'),
    )
  }
  return (
    // min-w-0: a dialog lays its children out in a grid, which would otherwise widen to the link's length.
    <div className="min-w-0 rounded-md border border-emerald-200 bg-emerald-50 p-3" data-testid="setup-link">
      <p className="mb-2 text-sm text-emerald-900">
        Send this link to <strong>{name}</strong>. It works once, until {formatExpiry(issued.expires_at)}, and will
        not be shown again.
      </p>
      <div className="flex items-start gap-2">
        <code
          className="min-w-0 flex-1 rounded bg-card px-2 py-1.5 font-mono text-xs break-all select-all"
          data-testid="setup-link-url"
        >
          {issued.setup_link}
        </code>
        <Button size="sm" variant="outline" onClick={copy} aria-label="Copy link">
          {copied ? <CheckIcon aria-hidden /> : <CopyIcon aria-hidden />}
        </Button>
      </div>
    </div>
  )
}
