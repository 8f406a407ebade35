/** The model registry pages, one module for the router's code split. */
export { ModelsPage } from './ModelsListPage'
export { ModelDetailPage } from './ModelDetailPage'
export { ModelsComparePage } from './ComparePage'
