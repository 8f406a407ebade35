/** The folder filter, one for the library and the picker: a folder (known ones suggested), matched
 * exactly unless "Include subfolders" is ticked. */
import type { KeyboardEvent } from 'react'
import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { countOf } from '@/lib/format'
import { useImageFacets } from '../hooks/images'

export function FolderField({
  id,
  value,
  subfolders,
  hasFolder,
  onValue,
  onSubfolders,
  onCommit,
}: {
  id: string
  value: string
  subfolders: boolean
  /** Whether a folder is set (the checkbox means nothing without one). */
  hasFolder: boolean
  onValue: (value: string) => void
  onSubfolders: (on: boolean) => void
  /** Called on blur and Enter, for callers that apply the folder only then. */
  onCommit?: () => void
}) {
  const facets = useImageFacets()
  return (
    <>
      <Input
        id={id}
        list={`${id}-options`}
        placeholder="e.g. stores/berlin"
        value={value}
        onChange={(e) => onValue(e.target.value)}
        onBlur={onCommit}
        onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
          if (e.key === 'Enter') onCommit?.()
        }}
      />
      <datalist id={`${id}-options`} data-testid="folder-options">
        {(facets.data?.folders ?? []).map((f) => (
          <option key={f.value} value={f.value}>{countOf(f.images, 'image')}</option>
        ))}
      </datalist>
      <label className="flex items-center gap-2 text-sm text-muted-foreground">
        <Checkbox checked={subfolders} disabled={!hasFolder} onCheckedChange={(checked) => onSubfolders(checked === true)} />
        Include subfolders
      </label>
    </>
  )
}
