export { datasetsApi } from './api'
export { useAddImages, useDataset, useDatasetChoices } from './hooks/datasets'
export { useVersions } from './hooks/versions'
