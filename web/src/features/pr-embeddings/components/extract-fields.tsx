import { Checkbox } from '@/components/ui/checkbox'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectGroup, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { DOMAIN_LABEL } from '@/features/products'
import { FieldError, type FieldErrors } from '@/features/training'
import { EMBED_SOURCES, PRODUCT_DOMAINS, type EmbedModel, type EmbedSource, type ProductDomain } from '@/lib/api'
import { defaultCollectionName, modelValue, orderedModels, toggled, unavailableReason } from '../hooks/extract-form'

const SOURCE_LABEL: Record<EmbedSource, string> = { product_images: 'Product images', cutouts: 'Cutouts' }

function ModelItem({ model }: { model: EmbedModel }) {
  const reason = unavailableReason(model)
  return (
    <SelectItem value={modelValue(model)} disabled={reason !== null} data-testid={`model-option-${modelValue(model)}`}>
      <span className="flex flex-col">
        <span>
          {model.name} <span className="text-xs text-muted-foreground">· {model.dim}-d · {model.backbone}</span>
        </span>
        {reason ? <span className="text-xs text-muted-foreground">{reason}</span> : null}
      </span>
    </SelectItem>
  )
}

function GroupLabel({ children }: { children: string }) {
  return <div className="px-2 pt-2 pb-1 text-xs font-medium text-muted-foreground uppercase">{children}</div>
}

/** Registered PR models first, then stock backbones; ones that cannot run are disabled with the reason. */
export function ModelSelect({ models, value, collection, onChange, errors }: { models: EmbedModel[]; value: string | null; collection: string; onChange: (v: string) => void; errors: FieldErrors }) {
  const { trained, stock } = orderedModels(models)
  const picked = models.find((m) => modelValue(m) === value)
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor="extract-model">Model</Label>
      <Select value={value ?? ''} onValueChange={onChange}>
        <SelectTrigger id="extract-model" aria-label="Model" data-testid="extract-model">
          <SelectValue placeholder="Choose a model" />
        </SelectTrigger>
        <SelectContent>
          <SelectGroup>
            <GroupLabel>Registered models</GroupLabel>
            {trained.length === 0 ? <p className="px-2 py-1 text-xs text-muted-foreground">None yet: register a checkpoint on the Models page.</p> : null}
            {trained.map((m) => <ModelItem key={modelValue(m)} model={m} />)}
          </SelectGroup>
          <SelectGroup>
            <GroupLabel>Stock backbones</GroupLabel>
            {stock.map((m) => <ModelItem key={modelValue(m)} model={m} />)}
          </SelectGroup>
        </SelectContent>
      </Select>
      {picked && !errors.model ? (
        <p className="text-xs text-muted-foreground" data-testid="extract-model-hint">
          {picked.dim}-d vectors into the collection <span className="font-mono">{collection.trim() || defaultCollectionName(picked)}</span>
        </p>
      ) : null}
      <FieldError errors={errors} field="model" />
    </div>
  )
}

function Choice({ id, label, checked, onToggle }: { id: string; label: string; checked: boolean; onToggle: () => void }) {
  return (
    <label htmlFor={id} className="flex items-center gap-2 text-sm">
      <Checkbox id={id} checked={checked} onCheckedChange={onToggle} data-testid={id} />
      {label}
    </label>
  )
}

export function SourceChoices({ value, onChange, errors }: { value: EmbedSource[]; onChange: (v: EmbedSource[]) => void; errors: FieldErrors }) {
  return (
    <fieldset className="flex flex-col gap-1.5">
      <legend className="mb-1.5 text-sm font-medium">What to embed</legend>
      <div className="flex flex-wrap gap-4">
        {EMBED_SOURCES.map((s) => (
          <Choice key={s} id={`source-${s}`} label={SOURCE_LABEL[s]} checked={value.includes(s)} onToggle={() => onChange(toggled(value, s, EMBED_SOURCES))} />
        ))}
      </div>
      <FieldError errors={errors} field="sources" />
    </fieldset>
  )
}

/** Product-image domains; none ticked means all of them. */
export function DomainChoices({ value, onChange }: { value: ProductDomain[]; onChange: (v: ProductDomain[]) => void }) {
  return (
    <fieldset className="flex flex-col gap-1.5">
      <legend className="mb-1.5 text-sm font-medium">Product-image domains</legend>
      <div className="flex flex-wrap gap-4">
        {PRODUCT_DOMAINS.map((d) => (
          <Choice key={d} id={`domain-${d}`} label={DOMAIN_LABEL[d]} checked={value.includes(d)} onToggle={() => onChange(toggled(value, d, PRODUCT_DOMAINS))} />
        ))}
      </div>
      <p className="text-xs text-muted-foreground">{value.length === 0 ? 'All domains.' : 'Only the ticked domains.'}</p>
    </fieldset>
  )
}
