/**
 * The selected box's (or shape's) attributes as key/value rows: text, numbers and yes/no values are edited in
 * place (text on Enter or leaving the field), other JSON is shown as it is. VOC's difficult,
 * truncated and occluded flags are checkboxes when the image uses them. Every edit is one undo
 * step and is saved with the box.
 */
import { PlusIcon, XIcon } from 'lucide-react'
import { memo, useState, type KeyboardEvent } from 'react'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { cn } from '@/lib/utils'
import { useShapeWords } from '../hooks/shape-words'
import { attributeKeyProblem, attributeValueProblem, renameAttribute, setAttribute, VOC_FLAGS, type Editor, type Annotation, type AttributeValue } from '@/editor/engine'

type ValueKind = 'text' | 'number' | 'boolean'

interface AttributesPanelProps {
  editor: Editor
  /** The one selected box, or null (none or several selected). */
  annotation: Annotation | null
  /** Its position in the list, for the heading. */
  index: number
  /** Offer the VOC flags as checkboxes (the image has boxes that use them). */
  vocFlags: boolean
}

/** Enter commits (by leaving the field), Escape puts the field back and does not reach the editor. */
function fieldKeys(revert: () => void) {
  return (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault()
      e.currentTarget.blur()
    } else if (e.key === 'Escape') {
      e.preventDefault()
      e.stopPropagation()
      revert()
    }
  }
}

function AttributeRow({ editor, annotation, name, value }: { editor: Editor; annotation: Annotation; name: string; value: AttributeValue }) {
  const [draftName, setDraftName] = useState(name)
  const [draft, setDraft] = useState(typeof value === 'string' || typeof value === 'number' ? String(value) : '')
  const [problem, setProblem] = useState<string | null>(null)

  const commitName = () => {
    const next = draftName.trim()
    if (next === name) return setDraftName(name)
    const issue = attributeKeyProblem(next, annotation.attributes, name)
    setProblem(issue)
    if (issue) return setDraftName(name)
    renameAttribute(editor, annotation.key, name, next)
  }
  const commitValue = () => {
    const next = typeof value === 'number' ? Number(draft.trim() === '' ? Number.NaN : draft) : draft
    const issue = attributeValueProblem(next)
    setProblem(issue)
    if (issue) return setDraft(String(value))
    setAttribute(editor, annotation.key, name, next)
  }

  let editorField
  if (typeof value === 'boolean') {
    editorField = <Checkbox aria-label={`Value of ${name}`} checked={value} onCheckedChange={(checked) => setAttribute(editor, annotation.key, name, checked === true)} />
  } else if (typeof value === 'string' || typeof value === 'number') {
    editorField = (
      <Input
        aria-label={`Value of ${name}`}
        type={typeof value === 'number' ? 'number' : 'text'}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commitValue}
        onKeyDown={fieldKeys(() => setDraft(String(value)))}
        className="h-7 px-2 text-xs"
      />
    )
  } else {
    editorField = (
      <code className="block truncate rounded bg-muted px-1.5 py-1 text-[11px]" title={JSON.stringify(value)}>
        {JSON.stringify(value)}
      </code>
    )
  }

  return (
    <li className="space-y-0.5" data-testid="attribute-row" data-name={name}>
      <div className="flex items-center gap-1.5">
        <Input
          aria-label={`Name of attribute ${name}`}
          value={draftName}
          onChange={(e) => {
            setDraftName(e.target.value)
            setProblem(null)
          }}
          onBlur={commitName}
          onKeyDown={fieldKeys(() => setDraftName(name))}
          className="h-7 w-28 shrink-0 px-2 text-xs font-medium"
        />
        <div className="flex min-w-0 flex-1 items-center">{editorField}</div>
        <Button variant="ghost" size="icon-sm" aria-label={`Remove attribute ${name}`} title="Remove" onClick={() => setAttribute(editor, annotation.key, name, undefined)}>
          <XIcon />
        </Button>
      </div>
      {problem ? <p className="text-[11px] text-destructive">{problem}</p> : null}
    </li>
  )
}

const DEFAULTS: Record<ValueKind, AttributeValue> = { text: '', number: 0, boolean: true }

function AddAttribute({ editor, annotation }: { editor: Editor; annotation: Annotation }) {
  const [name, setName] = useState('')
  const [kind, setKind] = useState<ValueKind>('text')
  const [problem, setProblem] = useState<string | null>(null)
  const add = () => {
    const issue = attributeKeyProblem(name, annotation.attributes)
    setProblem(issue)
    if (issue) return
    setAttribute(editor, annotation.key, name.trim(), DEFAULTS[kind])
    setName('')
  }
  return (
    <form
      className="space-y-0.5"
      onSubmit={(e) => {
        e.preventDefault()
        add()
      }}
    >
      <div className="flex items-center gap-1.5">
        <Input
          aria-label="New attribute name"
          placeholder="New attribute"
          value={name}
          onChange={(e) => {
            setName(e.target.value)
            setProblem(null)
          }}
          className="h-7 w-28 shrink-0 px-2 text-xs"
        />
        <select aria-label="New attribute type" value={kind} onChange={(e) => setKind(e.target.value as ValueKind)} className="h-7 min-w-0 flex-1 rounded-md border border-input bg-card px-1 text-xs">
          <option value="text">Text</option>
          <option value="number">Number</option>
          <option value="boolean">Yes / no</option>
        </select>
        <Button type="submit" variant="outline" size="icon-sm" aria-label="Add attribute" title="Add attribute">
          <PlusIcon />
        </Button>
      </div>
      {problem ? <p className="text-[11px] text-destructive">{problem}</p> : null}
    </form>
  )
}

export const AttributesPanel = memo(function AttributesPanel({ editor, annotation, index, vocFlags }: AttributesPanelProps) {
  const { one } = useShapeWords()
  if (!annotation) {
    return (
      <section aria-label="Attributes" className="shrink-0 border-t px-3 py-2.5" data-testid="attributes-panel">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Attributes</h2>
        <p className="mt-1 text-xs text-muted-foreground">Select one {one} to see and edit its attributes.</p>
      </section>
    )
  }
  const attributes = annotation.attributes ?? {}
  const showFlags = vocFlags || VOC_FLAGS.some((f) => Object.hasOwn(attributes, f))
  const others = Object.entries(attributes).filter(([k]) => !(showFlags && (VOC_FLAGS as readonly string[]).includes(k)))
  return (
    <section aria-label="Attributes" className="flex max-h-[45%] shrink-0 flex-col border-t" data-testid="attributes-panel">
      <h2 className="flex h-9 shrink-0 items-center gap-2 px-3 text-xs font-semibold uppercase tracking-wide text-muted-foreground">
        Attributes
        <span className="font-normal normal-case tracking-normal">{one} #{index + 1}</span>
      </h2>
      <div className="min-h-0 space-y-2 overflow-y-auto px-3 pb-3">
        {showFlags ? (
          <div className="flex flex-wrap gap-x-4 gap-y-1.5" role="group" aria-label="VOC flags">
            {VOC_FLAGS.map((flag) => (
              <label key={flag} className="flex items-center gap-1.5 text-xs">
                <Checkbox checked={attributes[flag] === true} onCheckedChange={(checked) => setAttribute(editor, annotation.key, flag, checked === true)} />
                {flag}
              </label>
            ))}
          </div>
        ) : null}
        {others.length > 0 ? (
          <ul className="space-y-1.5">
            {others.map(([name, value]) => (
              // Keyed by the stored value too, so an undo or another edit refreshes the fields.
              <AttributeRow key={`${annotation.key}:${name}:${JSON.stringify(value)}`} editor={editor} annotation={annotation} name={name} value={value} />
            ))}
          </ul>
        ) : (
          <p className={cn('text-xs text-muted-foreground', showFlags && 'pt-1')}>{showFlags ? 'No other attributes.' : 'No attributes yet.'}</p>
        )}
        <AddAttribute key={annotation.key} editor={editor} annotation={annotation} />
      </div>
    </section>
  )
})
