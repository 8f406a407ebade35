import { useState, type ReactNode } from 'react'
import { FilterXIcon, XIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { IMAGE_SOURCES, type Dataset, type ImageFilters, type ImageSource } from '@/lib/api'
import { countOf } from '@/lib/format'
import { activeFilterCount, parseTags } from '../hooks/filters'
import { useImageFacets } from '../hooks/images'
import { FolderField } from './folder-field'

const ANY = 'any'

const SOURCE_LABELS: Record<ImageSource, string> = {
  upload: 'Uploaded',
  url: 'From URL',
  sync: 'Synced',
  import: 'Imported',
}

interface FiltersSidebarProps {
  filters: ImageFilters
  datasets: Dataset[]
  onChange: (change: Partial<ImageFilters>) => void
  onClear: () => void
}

function Section({ title, htmlFor, children }: { title: string; htmlFor?: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={htmlFor} className="text-xs font-medium tracking-wide text-muted-foreground uppercase">
        {title}
      </Label>
      {children}
    </div>
  )
}

interface FilterProps {
  filters: ImageFilters
  onChange: (change: Partial<ImageFilters>) => void
}

function SourceFilter({ filters, onChange }: FilterProps) {
  return (
    <Select value={filters.source ?? ANY} onValueChange={(value) => onChange({ source: value === ANY ? null : (value as ImageSource) })}>
      <SelectTrigger aria-label="Source" data-testid="filter-source">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ANY}>Any source</SelectItem>
        {IMAGE_SOURCES.map((s) => (
          <SelectItem key={s} value={s}>
            {SOURCE_LABELS[s]}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

/** Tags typed (with the library's tags offered) and shown as removable badges; images must have every one. */
function TagsFilter({ filters, onChange }: FilterProps) {
  const [tagDraft, setTagDraft] = useState('')
  const tags = filters.tags ?? []
  const facets = useImageFacets()
  const addTags = () => {
    const fresh = parseTags(tagDraft).filter((t) => !tags.includes(t))
    if (fresh.length > 0) onChange({ tags: [...tags, ...fresh] })
    setTagDraft('')
  }
  return (
    <>
      <Input
        id="filter-tags"
        list="filter-tag-options"
        placeholder="Add a tag and press Enter"
        value={tagDraft}
        onChange={(e) => setTagDraft(e.target.value)}
        onBlur={addTags}
        onKeyDown={(e) => {
          if (e.key === 'Enter') addTags()
        }}
      />
      <datalist id="filter-tag-options" data-testid="tag-options">
        {(facets.data?.tags ?? [])
          .filter((t) => !tags.includes(t.value))
          .map((t) => (
            <option key={t.value} value={t.value}>{`${countOf(t.images, 'image')}`}</option>
          ))}
      </datalist>
      {tags.length > 0 ? (
        <div className="flex flex-wrap gap-1">
          {tags.map((tag) => (
            <Badge key={tag} variant="secondary" className="pr-1" data-testid="filter-tag">
              {tag}
              <button
                type="button"
                className="rounded-sm opacity-60 hover:opacity-100"
                aria-label={`Remove tag filter ${tag}`}
                onClick={() => onChange({ tags: tags.filter((t) => t !== tag) })}
              >
                <XIcon aria-hidden />
              </button>
            </Badge>
          ))}
        </div>
      ) : (
        <p className="text-xs text-muted-foreground">Images must have every tag listed.</p>
      )}
    </>
  )
}

/** In a dataset, not in a dataset, or any: one choice, so the two filters never contradict. */
function DatasetFilter({ filters, onChange, datasets }: FilterProps & { datasets: Dataset[] }) {
  const value = filters.dataset_id ? `in:${filters.dataset_id}` : filters.not_in_dataset_id ? `out:${filters.not_in_dataset_id}` : ANY
  const choose = (choice: string) => {
    if (choice === ANY) return onChange({ dataset_id: null, not_in_dataset_id: null })
    const [mode, id] = choice.split(':')
    onChange(mode === 'in' ? { dataset_id: Number(id), not_in_dataset_id: null } : { dataset_id: null, not_in_dataset_id: Number(id) })
  }
  return (
    <Select value={value} onValueChange={choose}>
      <SelectTrigger aria-label="Dataset membership" data-testid="filter-dataset">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ANY}>Any dataset</SelectItem>
        {datasets.map((d) => (
          <SelectItem key={`in:${d.id}`} value={`in:${d.id}`}>
            In {d.name}
          </SelectItem>
        ))}
        {datasets.map((d) => (
          <SelectItem key={`out:${d.id}`} value={`out:${d.id}`}>
            Not in {d.name}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

function AnnotationsFilter({ filters, onChange }: FilterProps) {
  return (
    <Select
      value={filters.has_annotations === true ? 'yes' : filters.has_annotations === false ? 'no' : ANY}
      onValueChange={(value) => onChange({ has_annotations: value === ANY ? null : value === 'yes' })}
    >
      <SelectTrigger aria-label="Annotations" data-testid="filter-annotations">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ANY}>Any</SelectItem>
        <SelectItem value="yes">Has annotations</SelectItem>
        <SelectItem value="no">No annotations</SelectItem>
      </SelectContent>
    </Select>
  )
}

export function FiltersSidebar({ filters, datasets, onChange, onClear }: FiltersSidebarProps) {
  const [folderDraft, setFolderDraft] = useState<string | null>(null)
  const folder = folderDraft ?? filters.folder ?? ''
  const count = activeFilterCount({ ...filters, q: null })
  const commitFolder = () => {
    if (folderDraft === null) return
    onChange({ folder: folderDraft.trim() || null })
    setFolderDraft(null)
  }

  return (
    <aside className="flex flex-col gap-5" aria-label="Filters" data-testid="image-filters">
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold">Filters</h2>
        {count > 0 ? (
          <Button variant="ghost" size="sm" className="h-7 px-2" onClick={onClear} data-testid="clear-filters">
            <FilterXIcon aria-hidden /> Clear ({count})
          </Button>
        ) : null}
      </div>
      <Section title="Source">
        <SourceFilter filters={filters} onChange={onChange} />
      </Section>
      <Section title="Folder" htmlFor="filter-folder">
        <FolderField
          id="filter-folder"
          value={folder}
          subfolders={filters.folder_prefix ?? false}
          hasFolder={Boolean(filters.folder)}
          onValue={setFolderDraft}
          onSubfolders={(on) => onChange({ folder_prefix: on })}
          onCommit={commitFolder}
        />
      </Section>
      <Section title="Tags" htmlFor="filter-tags">
        <TagsFilter filters={filters} onChange={onChange} />
      </Section>
      <Section title="Dataset">
        <DatasetFilter filters={filters} onChange={onChange} datasets={datasets} />
      </Section>
      <Section title="Annotations">
        <AnnotationsFilter filters={filters} onChange={onChange} />
      </Section>
    </aside>
  )
}
