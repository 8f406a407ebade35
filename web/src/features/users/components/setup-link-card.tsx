import { useState } from 'react'
import { CheckIcon, CopyIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { formatDateTime } from '@/lib/format'
import type { IssuedSetupLink } from '../types'

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
    <div className="rounded-md border border-emerald-200 bg-emerald-50 p-3" data-testid="setup-link">
      <p className="mb-2 text-sm text-emerald-900">
        Send this link to <strong>{name}</strong>. It works once, until {formatDateTime(issued.expires_at)}, and
        will not be shown again.
      </p>
      <div className="flex items-center gap-2">
        <code
          className="min-w-0 flex-1 truncate rounded bg-card px-2 py-1.5 font-mono text-xs select-all"
          data-testid="setup-link-url"
          title={issued.setup_link}
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
