export { modelsApi } from './api'
export { useModels } from './hooks/queries'
