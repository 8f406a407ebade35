/** The PR dataset pages, one module for the router's code split. */
export { PrDatasetsPage } from './PrDatasetsPage'
export { PrDatasetDetailPage } from './PrDatasetDetailPage'
