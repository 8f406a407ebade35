import type * as React from 'react'
import { Label } from '@/components/ui/label'
import { cn } from '@/lib/utils'
import type { FieldErrors } from '../hooks/wizard-form'

/** The error the checks or the API gave for a field, under its input. */
export function FieldError({ errors, field }: { errors: FieldErrors; field: string }) {
  const message = errors[field]
  if (!message) return null
  return (
    <p role="alert" className="text-xs text-destructive" data-testid={`error-${field}`}>
      {message}
    </p>
  )
}

interface FormFieldProps {
  id: string
  label: string
  /** The API's name for the field ("config.batch_size"): its error shows here. */
  field: string
  errors: FieldErrors
  hint?: React.ReactNode
  className?: string
  children: React.ReactNode
}

/** A labelled input with its hint and error. */
export function FormField({ id, label, field, errors, hint, className, children }: FormFieldProps) {
  return (
    <div className={cn('flex flex-col gap-1.5', className)} data-invalid={errors[field] ? true : undefined}>
      <Label htmlFor={id}>{label}</Label>
      {children}
      {hint && !errors[field] ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
      <FieldError errors={errors} field={field} />
    </div>
  )
}
