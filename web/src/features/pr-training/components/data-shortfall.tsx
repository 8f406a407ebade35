import { TriangleAlertIcon } from 'lucide-react'
import type { CreateRunForm } from '../hooks/create-form'

/** The API's "too little data" refusal with its counts, or any other refusal about the data as a whole. */
export function DataShortfallNote({ form }: { form: CreateRunForm }) {
  const message = form.errors.data
  if (!message) return null
  const s = form.shortfall
  return (
    <div role="alert" className="flex items-start gap-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800" data-testid="data-shortfall">
      <TriangleAlertIcon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="flex flex-col gap-1">
        <p>{s ? s.detail : message}</p>
        {s ? (
          <p className="text-xs tabular-nums">
            {s.products} of {s.minProducts} products and {s.images} of {s.minImages} images needed. Add images, lower the minimum per product, or widen the domains.
          </p>
        ) : null}
      </div>
    </div>
  )
}
