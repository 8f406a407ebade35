export { prTrainingApi } from './api'
