export { embeddingsApi } from './api'
export { useEmbeddingCollections } from './hooks/queries'
