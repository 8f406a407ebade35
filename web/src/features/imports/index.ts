export { DatasetImportTab } from './components/dataset-import'
