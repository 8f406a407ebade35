/**
 * Prompts for text-prompted detectors and the class each one's boxes get: by default the class whose
 * name, display name or alias is the prompt (label set first, then the catalogue). Plain data, no React.
 */
import type { AiPrompt } from '@/lib/api'

export interface PromptClass {
  id: number
  name: string
  display_name?: string
  aliases?: readonly string[]
}

function norm(text: string): string {
  return text.trim().toLowerCase().replace(/[_\s]+/g, ' ')
}

/** The words a class answers to. */
function namesOf(c: PromptClass): string[] {
  return [c.name, c.display_name ?? '', ...(c.aliases ?? [])].filter((n) => n.trim() !== '').map(norm)
}

/** The class a prompt maps to by default, or null when no class answers to it. */
export function matchClass(text: string, ...lists: readonly (readonly PromptClass[])[]): number | null {
  const wanted = norm(text)
  if (!wanted) return null
  for (const list of lists) {
    const hit = list.find((c) => namesOf(c).includes(wanted))
    if (hit) return hit.id
  }
  return null
}

/** What a detector is asked for a class: its display name, else its name with underscores as spaces. */
export function promptText(c: PromptClass): string {
  return (c.display_name?.trim() || c.name).replace(/_/g, ' ')
}

/** One prompt per class of the label set, each mapped to its own class. */
export function defaultPrompts(classes: readonly PromptClass[]): AiPrompt[] {
  return classes.map((c) => ({ text: promptText(c), class_id: c.id }))
}

/** Add a typed prompt (mapped by name when a class answers to it); duplicates and blanks are ignored. */
export function addPrompt(prompts: readonly AiPrompt[], text: string, ...lists: readonly (readonly PromptClass[])[]): AiPrompt[] {
  const clean = text.trim()
  if (!clean || prompts.some((p) => norm(p.text) === norm(clean))) return [...prompts]
  return [...prompts, { text: clean, class_id: matchClass(clean, ...lists) }]
}
