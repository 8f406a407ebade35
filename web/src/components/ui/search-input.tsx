import * as React from 'react'
import { SearchIcon } from 'lucide-react'
import { cn } from '@/lib/utils'
import { Input } from './input'

/** A search field with a magnifier inside; `wrapperClassName` places and sizes it. */
export function SearchInput({
  wrapperClassName,
  className,
  ...props
}: Omit<React.ComponentProps<'input'>, 'type'> & { wrapperClassName?: string }) {
  return (
    <div className={cn('relative', wrapperClassName)}>
      <SearchIcon className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
      <Input type="search" className={cn('pl-8', className)} {...props} />
    </div>
  )
}
