/**
 * The annotation engine's public surface: a framework-free editor (document, history, hit index,
 * viewport, layered renderer, tools) that React mounts on a canvas host and listens to.
 */
export { Editor, type EditorEvents, type EditorOptions } from './editor'
export { Emitter, type Listener } from './emitter'
export { serverKey } from './document'
export type { HistoryState } from './history'
export type { ImageLevels, StaticRenderInfo } from './renderer'
export {
  isTypingTarget,
  resolveKeyDown,
  resolveKeyUp,
  SHORTCUT_HELP,
  type ShortcutAction,
  type ShortcutHelp,
} from './shortcuts'
export * from './types'
