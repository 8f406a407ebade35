export { classesApi } from './api'
