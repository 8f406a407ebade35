import { HistoryIcon } from 'lucide-react'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet'
import type { ClassChange, ClassChangeAction } from '@/lib/api'
import { formatDateTime, formatRelative } from '@/lib/format'
import { useClassHistory } from '../hooks/classes'
import { ColorSwatch } from './color-field'
import { changedFields } from './history-diff'

const ACTION_VARIANT: Record<ClassChangeAction, 'success' | 'info' | 'secondary' | 'warning' | 'destructive'> = {
  create: 'success',
  update: 'secondary',
  rename: 'info',
  merge: 'warning',
  delete: 'destructive',
}

/** A value as text; a colour with its swatch, so a change of colour is seen, not only read. */
function FieldValue({ field, value }: { field: string; value: string }) {
  if (field !== 'color' || !value.startsWith('#')) return <>{value}</>
  return (
    <span className="inline-flex items-center gap-1 align-middle">
      <ColorSwatch color={value} className="size-3" />
      {value}
    </span>
  )
}

function ChangeRow({ change, showClass }: { change: ClassChange; showClass: boolean }) {
  const fields = changedFields(change.action, change.before, change.after)
  return (
    <li className="flex flex-col gap-1.5 px-5 py-3" data-testid="history-row" data-action={change.action}>
      <div className="flex items-center gap-2 text-sm">
        <Badge variant={ACTION_VARIANT[change.action]} className="capitalize">
          {change.action}
        </Badge>
        {showClass ? <span className="font-medium">{change.class_name}</span> : null}
        <span className="ml-auto text-xs text-muted-foreground" title={formatDateTime(change.at)}>
          {change.username ?? 'system'} · {formatRelative(change.at)}
        </span>
      </div>
      {fields.length > 0 ? (
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-xs">
          {fields.map((f) => (
            <div key={f.field} className="contents">
              <dt className="text-muted-foreground">{f.label}</dt>
              <dd className="truncate" title={`${f.from} → ${f.to}`}>
                {change.action === 'create' || f.from === '—' ? (
                  <FieldValue field={f.field} value={f.to} />
                ) : (
                  <>
                    <span className="text-muted-foreground line-through">
                      <FieldValue field={f.field} value={f.from} />
                    </span>{' '}
                    → <FieldValue field={f.field} value={f.to} />
                  </>
                )}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </li>
  )
}

/** The audit log of one class (`classId`), or of the whole catalogue (null). */
export function HistorySheet({
  open,
  classId,
  title,
  onClose,
}: {
  open: boolean
  classId: number | null
  title: string
  onClose: () => void
}) {
  return (
    <Sheet open={open} onOpenChange={(o) => (o ? undefined : onClose())}>
      <SheetContent className="gap-0 sm:max-w-lg" data-testid="class-history">
        <SheetHeader>
          <SheetTitle>{title}</SheetTitle>
          <SheetDescription>Every create, rename, edit, merge and delete, newest first.</SheetDescription>
        </SheetHeader>
        {open ? <HistoryList classId={classId} /> : null}
      </SheetContent>
    </Sheet>
  )
}

function HistoryList({ classId }: { classId: number | null }) {
  const history = useClassHistory(classId)
  if (history.isPending) return <LoadingState />
  if (history.isError) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />
  if (history.data.items.length === 0)
    return <EmptyState icon={<HistoryIcon aria-hidden />} title="No changes recorded yet" />
  return (
    <ul className="divide-y overflow-y-auto">
      {history.data.items.map((change) => (
        <ChangeRow key={change.id} change={change} showClass={classId === null} />
      ))}
    </ul>
  )
}
