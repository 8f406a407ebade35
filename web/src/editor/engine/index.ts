/**
 * The annotation engine's public surface: a framework-free editor (document, history, hit index,
 * viewport, layered renderer, tools) that React mounts on a canvas host and listens to.
 */
export { Editor, type EditorEvents, type EditorOptions } from './editor'
export { Emitter, type Listener } from './emitter'
export { serverKey } from './document'
export type { HistoryState } from './history'
export { confidencePercent, type ImageLevels, type StaticRenderInfo } from './renderer'
export {
  isTypingTarget,
  resolveKeyDown,
  resolveKeyUp,
  SHORTCUT_HELP,
  type ShortcutAction,
  type ShortcutHelp,
} from './shortcuts'
export * from './types'
export { attributeKeyProblem, attributeValueProblem, renameAttribute, setAttribute, usesVocFlags, VOC_FLAGS } from './attributes'
export { copyBoxes, cutBoxes, pasteBoxes, readClipboard } from './clipboard'
export { nudgeSelection } from './nudge'
export { restack } from './stacking'
export { shapesWord } from './shape-words'
export type { VisibilityFlag } from './visibility'
export { decodeRle, maskArea, paintMask, type MaskImage, type RleMask } from './mask'
export {
  isPrediction,
  reviewable,
  reviewSelection,
  reviewShown,
  selectNextPrediction,
  shownPredictions,
  type ReviewChange,
  type ReviewVerdict,
} from './review'
export type { PromptPoint, SegmentPrompt, SegmentResult } from './tools/segment'
