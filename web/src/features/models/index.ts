export { modelsApi } from './api'
export { useModels } from './hooks/queries'
export { MAX_COMPARE, MIN_COMPARE, parseCompareIds, toggleCompare } from './hooks/compare'
