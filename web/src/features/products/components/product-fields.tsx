import type * as React from 'react'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Textarea } from '@/components/ui/textarea'
import { PRODUCT_STATUSES, type ProductStatus } from '@/lib/api'
import type { ProductFormErrors, ProductFormValues } from '../hooks/product-form'

function Field({ id, label, error, children }: { id: string; label: string; error?: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {error ? (
        <p className="text-xs text-destructive" data-testid={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  )
}

/** The product's own fields, shared by the create dialog and the detail page's edit card. */
export function ProductFields({
  values,
  errors,
  onChange,
  prefix,
  disabled = false,
}: {
  values: ProductFormValues
  errors: ProductFormErrors
  onChange: (patch: Partial<ProductFormValues>) => void
  prefix: string
  disabled?: boolean
}) {
  const text = (key: 'sku' | 'name' | 'barcode' | 'brand' | 'category', label: string, required = false) => (
    <Field id={`${prefix}-${key}`} label={label} error={errors[key]}>
      <Input
        id={`${prefix}-${key}`}
        value={values[key]}
        required={required}
        disabled={disabled}
        aria-invalid={errors[key] ? true : undefined}
        onChange={(e) => onChange({ [key]: e.target.value })}
      />
    </Field>
  )
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      {text('sku', 'SKU', true)}
      {text('barcode', 'Barcode')}
      <div className="sm:col-span-2">{text('name', 'Name', true)}</div>
      {text('brand', 'Brand')}
      {text('category', 'Category')}
      <Field id={`${prefix}-status`} label="Status" error={errors.status}>
        <Select value={values.status} onValueChange={(v) => onChange({ status: v as ProductStatus })} disabled={disabled}>
          <SelectTrigger id={`${prefix}-status`}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {PRODUCT_STATUSES.map((s) => (
              <SelectItem key={s} value={s} className="capitalize">
                {s}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </Field>
      <div className="sm:col-span-2">
        <Field id={`${prefix}-attributes`} label="Attributes (JSON object)" error={errors.attributes}>
          <Textarea
            id={`${prefix}-attributes`}
            rows={3}
            className="font-mono text-xs"
            placeholder='{"size": "1 l", "flavour": "orange"}'
            value={values.attributes}
            disabled={disabled}
            aria-invalid={errors.attributes ? true : undefined}
            onChange={(e) => onChange({ attributes: e.target.value })}
          />
        </Field>
      </div>
    </div>
  )
}
