export { datasetsApi } from './api'
export { useAddImages, useDatasetChoices } from './hooks/datasets'
