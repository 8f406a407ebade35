export { prDatasetsApi } from './api'
