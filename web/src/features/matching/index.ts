export { matchingApi } from './api'
