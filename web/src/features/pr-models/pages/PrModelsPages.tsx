/** The embedding-model pages, one module for the router's code split. */
export { PrModelsPage } from './PrModelsPage'
export { PrModelDetailPage } from './PrModelDetailPage'
export { PrModelsComparePage } from './PrModelsComparePage'
