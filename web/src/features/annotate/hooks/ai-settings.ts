/**
 * The editor's AI settings on this device: whether the panel is open, the detector and SAM model,
 * the review threshold, and the prompts per dataset (none stored: the dataset's classes).
 */
import { create } from 'zustand'
import type { AiPrompt } from '@/lib/api'

export interface AiSettings {
  open: boolean
  model: string | null
  samModel: string | null
  /** Predictions below this confidence are hidden (0..1). */
  threshold: number
  prompts: Readonly<Record<number, AiPrompt[]>>
}

export const DEFAULT_THRESHOLD = 0.3
const KEY = 'shelfscope:editor-ai'
const initial: AiSettings = { open: false, model: null, samModel: null, threshold: DEFAULT_THRESHOLD, prompts: {} }

function load(): AiSettings {
  try {
    const raw = typeof window === 'undefined' ? null : window.localStorage.getItem(KEY)
    const stored = raw ? (JSON.parse(raw) as Partial<AiSettings>) : {}
    const threshold = typeof stored.threshold === 'number' && stored.threshold >= 0 && stored.threshold <= 1 ? stored.threshold : DEFAULT_THRESHOLD
    return { ...initial, ...stored, threshold }
  } catch {
    return initial
  }
}

function save(settings: AiSettings): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(settings))
  } catch {
    // Full or disabled storage: the settings last for this visit only.
  }
}

interface AiSettingsStore extends AiSettings {
  set: (patch: Partial<AiSettings>) => void
  setPrompts: (datasetId: number, prompts: AiPrompt[] | null) => void
}

export const useAiSettings = create<AiSettingsStore>()((set, get) => ({
  ...load(),
  set: (patch) => {
    set(patch)
    const { open, model, samModel, threshold, prompts } = get()
    save({ open, model, samModel, threshold, prompts })
  },
  setPrompts: (datasetId, prompts) => {
    const next = { ...get().prompts }
    if (prompts === null) delete next[datasetId]
    else next[datasetId] = prompts
    get().set({ prompts: next })
  },
}))
