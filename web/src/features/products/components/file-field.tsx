import { useRef } from 'react'
import { FileIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { formatBytes } from '@/lib/format'
import { cn } from '@/lib/utils'

/** A labelled file chooser that shows the chosen file's name and size. */
export function FileField({
  label,
  hint,
  accept,
  file,
  onFile,
  disabled = false,
  testId,
}: {
  label: string
  hint: string
  accept: string
  file: File | null
  onFile: (file: File | null) => void
  disabled?: boolean
  testId: string
}) {
  const input = useRef<HTMLInputElement>(null)
  return (
    <div className="flex flex-col gap-1.5">
      <span className="text-sm font-medium">{label}</span>
      <div className={cn('flex items-center gap-3 rounded-md border border-dashed p-3', file ? 'bg-muted/20' : 'bg-muted/40')}>
        <FileIcon className="size-5 shrink-0 text-muted-foreground" aria-hidden />
        <div className="min-w-0 flex-1 text-sm">
          {file ? (
            <>
              <p className="truncate font-medium" data-testid={`${testId}-name`}>
                {file.name}
              </p>
              <p className="text-xs text-muted-foreground">{formatBytes(file.size)}</p>
            </>
          ) : (
            <p className="text-muted-foreground">{hint}</p>
          )}
        </div>
        <input
          ref={input}
          type="file"
          accept={accept}
          className="sr-only"
          aria-label={label}
          data-testid={testId}
          onChange={(e) => {
            onFile(e.target.files?.[0] ?? null)
            e.target.value = ''
          }}
        />
        {file ? (
          <Button type="button" variant="ghost" size="sm" onClick={() => onFile(null)} disabled={disabled}>
            Remove
          </Button>
        ) : null}
        <Button type="button" variant="outline" size="sm" onClick={() => input.current?.click()} disabled={disabled}>
          {file ? 'Change…' : 'Choose…'}
        </Button>
      </div>
    </div>
  )
}
