/** The PR dataset's fields: name, description, where its products come from, counted domains and the minimum. */
import type * as React from 'react'
import { XIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Segmented } from '@/components/ui/segmented'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Textarea } from '@/components/ui/textarea'
import { DOMAIN_LABEL, ProductPicker, type PickedProduct } from '@/features/products'
import { PR_DATASET_SOURCES, PRODUCT_DOMAINS, PRODUCT_STATUSES, type ProductDomain, type ProductStatus } from '@/lib/api'
import { SOURCE_HINT, SOURCE_LABEL, type PrDatasetForm } from '../hooks/logic'

const ANY = '__any'

function Field({ label, htmlFor, error, children }: { label: string; htmlFor?: string; error?: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={htmlFor}>{label}</Label>
      {children}
      {error ? (
        <p className="text-xs text-destructive" data-testid={`error-${htmlFor ?? label}`}>
          {error}
        </p>
      ) : null}
    </div>
  )
}

export function DomainChecks({ value, onChange }: { value: ProductDomain[]; onChange: (domains: ProductDomain[]) => void }) {
  return (
    <div className="flex flex-wrap gap-4" data-testid="dataset-domains">
      {PRODUCT_DOMAINS.map((d) => (
        <label key={d} className="flex items-center gap-1.5 text-sm">
          <Checkbox checked={value.includes(d)} onCheckedChange={(on) => onChange(on === true ? [...value, d] : value.filter((v) => v !== d))} data-testid={`dataset-domain-${d}`} />
          {DOMAIN_LABEL[d]}
        </label>
      ))}
    </div>
  )
}

function Selection({ form, picked, onPicked, onChange }: { form: PrDatasetForm; picked: PickedProduct[]; onPicked: (p: PickedProduct[]) => void; onChange: (p: Partial<PrDatasetForm>) => void }) {
  const setPicked = (next: PickedProduct[]) => {
    onPicked(next)
    onChange({ productIds: next.map((p) => p.id) })
  }
  return (
    <div className="flex flex-col gap-2 rounded-md border bg-muted/20 p-3">
      <div className="flex flex-wrap gap-2">
        <Input aria-label="Brand" placeholder="Brand" className="w-36" value={form.brand} onChange={(e) => onChange({ brand: e.target.value })} />
        <Input aria-label="Category" placeholder="Category" className="w-36" value={form.category} onChange={(e) => onChange({ category: e.target.value })} />
        <Select value={form.status ?? ANY} onValueChange={(v) => onChange({ status: v === ANY ? null : (v as ProductStatus) })}>
          <SelectTrigger className="w-32" aria-label="Status">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ANY}>Any status</SelectItem>
            {PRODUCT_STATUSES.map((s) => (
              <SelectItem key={s} value={s} className="capitalize">
                {s}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <ProductPicker value={null} onChange={(p) => {
          if (!picked.some((x) => x.id === p.id)) setPicked([...picked, p])
        }} placeholder="Add a product…" label="Add a product" className="w-full" testId="dataset-add-product" />
      {picked.length > 0 ? (
        <ul className="flex flex-wrap gap-1">
          {picked.map((p) => (
            <li key={p.id} className="inline-flex items-center gap-1 rounded-md border bg-card px-2 py-0.5 text-xs">
              {p.name}
              <Button type="button" variant="ghost" size="icon-sm" className="size-5" aria-label={`Remove ${p.name}`} onClick={() => setPicked(picked.filter((x) => x.id !== p.id))}>
                <XIcon aria-hidden />
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

export function DatasetFormFields({ form, errors, picked, onPicked, onChange }: { form: PrDatasetForm; errors: Record<string, string>; picked: PickedProduct[]; onPicked: (p: PickedProduct[]) => void; onChange: (p: Partial<PrDatasetForm>) => void }) {
  return (
    <div className="flex flex-col gap-4">
      <Field label="Name" htmlFor="pr-dataset-name" error={errors.name}>
        <Input id="pr-dataset-name" autoFocus value={form.name} onChange={(e) => onChange({ name: e.target.value })} aria-invalid={errors.name ? true : undefined} />
      </Field>
      <Field label="Description" htmlFor="pr-dataset-description">
        <Textarea id="pr-dataset-description" rows={2} placeholder="Optional" value={form.description} onChange={(e) => onChange({ description: e.target.value })} />
      </Field>
      <Field label="Products" error={errors.selection}>
        <Segmented label="Products" value={form.source} options={PR_DATASET_SOURCES.map((s) => ({ value: s, label: SOURCE_LABEL[s] }))} onChange={(source) => onChange({ source })} testId="dataset-source" />
        <p className="text-xs text-muted-foreground">{SOURCE_HINT[form.source]}</p>
        {form.source === 'selection' ? <Selection form={form} picked={picked} onPicked={onPicked} onChange={onChange} /> : null}
      </Field>
      <Field label="Domains that count" error={errors.domains}>
        <DomainChecks value={form.domains} onChange={(domains) => onChange({ domains })} />
      </Field>
      <Field label="Minimum images per product" htmlFor="pr-dataset-min" error={errors.min_images_per_product}>
        <Input id="pr-dataset-min" type="number" min={0} className="w-28" value={form.minImages} onChange={(e) => onChange({ minImages: e.target.value })} data-testid="dataset-min-images" />
        <p className="text-xs text-muted-foreground">Products with fewer counted images are listed as excluded.</p>
      </Field>
    </div>
  )
}
