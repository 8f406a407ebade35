export { prDatasetsApi } from './api'
export { usePrDatasets } from './hooks/queries'
