/** Prompt chips, each sent to a class: remove one, change its class, or type a new one (Enter adds it). */
import { PlusIcon, XIcon } from 'lucide-react'
import { useState, type KeyboardEvent } from 'react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import type { AiPrompt } from '@/lib/api'
import { addPrompt, promptText, type PromptClass } from '../hooks/prompts'

export interface PromptListProps {
  prompts: readonly AiPrompt[]
  onChange: (prompts: AiPrompt[]) => void
  /** The classes a prompt can be sent to (the dataset's label set, else the catalogue). */
  classes: readonly (PromptClass & { color?: string })[]
  /** Narrow panels: a prompt that is its class's own name shows no class picker (its dot says the class). */
  compact?: boolean
}

function PromptChip({ prompt, classes, compact, onClass, onRemove }: { prompt: AiPrompt; classes: PromptListProps['classes']; compact: boolean; onClass: (id: number | null) => void; onRemove: () => void }) {
  const target = classes.find((c) => c.id === prompt.class_id)
  const ownName = target !== undefined && promptText(target) === prompt.text
  return (
    <li className="flex max-w-full items-center gap-1 rounded-full border bg-card py-0.5 pr-1 pl-2.5 text-sm" data-testid="prompt-chip" title={target ? `${prompt.text} → ${target.display_name || target.name}` : prompt.text}>
      <span className="size-2 shrink-0 rounded-full" style={{ backgroundColor: target?.color ?? 'transparent' }} aria-hidden />
      <span className="min-w-0 truncate font-medium">{prompt.text}</span>
      {compact && ownName ? null : <ClassChoice prompt={prompt} classes={classes} onClass={onClass} />}
      <Button type="button" variant="ghost" size="icon-sm" className="size-6 shrink-0 rounded-full" aria-label={`Remove “${prompt.text}”`} onClick={onRemove}>
        <XIcon />
      </Button>
    </li>
  )
}

function ClassChoice({ prompt, classes, onClass }: { prompt: AiPrompt; classes: PromptListProps['classes']; onClass: (id: number | null) => void }) {
  return (
    <>
      <span className="text-muted-foreground" aria-hidden>
        →
      </span>
      <select
        aria-label={`Class for “${prompt.text}”`}
        className="max-w-36 rounded bg-transparent text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring/40"
        value={prompt.class_id ?? ''}
        onChange={(e) => onClass(e.target.value === '' ? null : Number(e.target.value))}
      >
        <option value="">Pick a class…</option>
        {classes.map((c) => (
          <option key={c.id} value={c.id}>
            {c.display_name || c.name}
          </option>
        ))}
      </select>
    </>
  )
}

export function PromptList({ prompts, onChange, classes, compact = false }: PromptListProps) {
  const [draft, setDraft] = useState('')
  const add = () => {
    onChange(addPrompt(prompts, draft, classes))
    setDraft('')
  }
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return
    e.preventDefault()
    add()
  }
  return (
    <div className="flex flex-col gap-2">
      <ul className="flex flex-wrap gap-1.5" aria-label="Prompts">
        {prompts.map((p, i) => (
          <PromptChip
            key={p.text}
            prompt={p}
            classes={classes}
            compact={compact}
            onClass={(id) => onChange(prompts.map((q, j) => (j === i ? { ...q, class_id: id } : q)))}
            onRemove={() => onChange(prompts.filter((_, j) => j !== i))}
          />
        ))}
        {prompts.length === 0 ? <li className="text-sm text-muted-foreground">No prompts yet.</li> : null}
      </ul>
      <div className="flex gap-2">
        <Input value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} placeholder="Add a prompt, e.g. bottle" aria-label="New prompt" className="h-8" />
        <Button type="button" variant="outline" size="sm" onClick={add} disabled={!draft.trim()}>
          <PlusIcon /> Add
        </Button>
      </div>
    </div>
  )
}
