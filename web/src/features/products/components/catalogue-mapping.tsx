/** The catalogue import's two maps: which column feeds each product field, and which zip folder is which domain. */
import { PlusIcon, Trash2Icon } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { PRODUCT_DOMAINS, type ProductDomain } from '@/lib/api'
import { CATALOGUE_FIELDS, REQUIRED_FIELDS, type CatalogueField, type DomainRow } from '../hooks/catalogue'
import { DOMAIN_LABEL } from '../hooks/domains'

const NONE = '__none'

const FIELD_LABEL: Record<CatalogueField, string> = {
  sku: 'SKU',
  name: 'Name',
  barcode: 'Barcode',
  brand: 'Brand',
  category: 'Category',
  status: 'Status',
  attributes: 'Attributes (JSON)',
  image_urls: 'Image URLs',
  image_domain: 'Image URL domain',
}

export function ColumnMapping({
  columns,
  chosen,
  onChange,
}: {
  columns: string[]
  chosen: Partial<Record<CatalogueField, string>>
  onChange: (field: CatalogueField, column: string | null) => void
}) {
  const used = new Set(Object.values(chosen))
  const unused = columns.filter((c) => !used.has(c))
  return (
    <fieldset className="flex flex-col gap-2" data-testid="column-mapping">
      <legend className="mb-1 text-sm font-medium">Columns</legend>
      <p className="text-xs text-muted-foreground">
        Which column holds each field.{' '}
        {unused.length > 0 ? (
          <>
            The others become the product&apos;s attributes: <span className="font-mono">{unused.join(', ')}</span>.
          </>
        ) : null}
      </p>
      <div className="grid gap-x-4 gap-y-2 sm:grid-cols-2">
        {CATALOGUE_FIELDS.map((field) => (
          <div key={field} className="flex items-center gap-2">
            <Label className="w-32 shrink-0 text-xs" htmlFor={`column-${field}`}>
              {FIELD_LABEL[field]}
              {REQUIRED_FIELDS.includes(field) ? <span className="text-destructive"> *</span> : null}
            </Label>
            <Select value={chosen[field] ?? NONE} onValueChange={(v) => onChange(field, v === NONE ? null : v)}>
              <SelectTrigger id={`column-${field}`} className="h-8" data-testid={`column-${field}`}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value={NONE}>— not in the file</SelectItem>
                {columns.map((c) => (
                  <SelectItem key={c} value={c}>
                    {c}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
        ))}
      </div>
    </fieldset>
  )
}

export function DomainMapEditor({ rows, onChange }: { rows: DomainRow[]; onChange: (rows: DomainRow[]) => void }) {
  const update = (i: number, patch: Partial<DomainRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  return (
    <fieldset className="flex flex-col gap-2" data-testid="domain-map">
      <legend className="mb-1 text-sm font-medium">Image folders</legend>
      <p className="text-xs text-muted-foreground">
        The zip holds <code className="font-mono">&lt;sku&gt;/&lt;folder&gt;/&lt;file&gt;</code>. Folders named synthetic, real, augmented or cutout need no
        line here; map any other folder name to its domain.
      </p>
      {rows.map((row, i) => (
        <div key={i} className="flex items-center gap-2">
          <Input
            aria-label={`Folder ${i + 1}`}
            placeholder="Folder name, e.g. studio"
            className="h-8 flex-1"
            value={row.folder}
            onChange={(e) => update(i, { folder: e.target.value })}
            data-testid={`domain-folder-${i}`}
          />
          <span className="text-xs text-muted-foreground">→</span>
          <Select value={row.domain} onValueChange={(v) => update(i, { domain: v as ProductDomain })}>
            <SelectTrigger className="h-8 w-36" aria-label={`Domain of folder ${i + 1}`} data-testid={`domain-value-${i}`}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {PRODUCT_DOMAINS.map((d) => (
                <SelectItem key={d} value={d}>
                  {DOMAIN_LABEL[d]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <Button type="button" variant="ghost" size="icon-sm" aria-label={`Remove folder ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            <Trash2Icon aria-hidden />
          </Button>
        </div>
      ))}
      <Button type="button" variant="outline" size="sm" className="w-fit" onClick={() => onChange([...rows, { folder: '', domain: 'synthetic' }])} data-testid="add-domain-row">
        <PlusIcon aria-hidden /> Map a folder
      </Button>
    </fieldset>
  )
}
