export { trainingApi } from './api'
