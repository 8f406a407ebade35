/**
 * UI state of the editor page that React renders: tool, zoom read-out, current class,
 * selection, history flags, save state, help overlay. The engine pushes into it through its
 * events; server data stays in TanStack Query, annotations stay in the engine.
 */
import { create } from 'zustand'
import type { HistoryState, ToolId } from '@/editor/engine'
import type { SaveState } from '../sync/save-controller'

export interface EditorUiState {
  tool: ToolId
  spacePan: boolean
  /** Scale in percent of image pixels (100 = 1 image px per CSS px). */
  zoomPercent: number
  currentClassId: number | null
  selection: readonly string[]
  history: HistoryState
  save: SaveState
  count: number
  helpOpen: boolean
  set: (patch: Partial<Omit<EditorUiState, 'set' | 'reset'>>) => void
  reset: () => void
}

const initial = {
  tool: 'select' as ToolId,
  spacePan: false,
  zoomPercent: 100,
  currentClassId: null,
  selection: [] as readonly string[],
  history: { canUndo: false, canRedo: false, undoLabel: null, redoLabel: null },
  save: { status: 'saved' as const, message: null, lastSavedAt: null, retryAt: null, conflict: null },
  count: 0,
  helpOpen: false,
}

export const useEditorUi = create<EditorUiState>()((set) => ({
  ...initial,
  set: (patch) => set(patch),
  reset: () => set({ ...initial, currentClassId: null }),
}))
