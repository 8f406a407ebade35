/** The embedding-training pages, one module for the router's code split. */
export { PrRunsPage } from './PrRunsPage'
export { PrRunDetailPage } from './PrRunDetailPage'
