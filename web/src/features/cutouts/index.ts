export { cutoutsApi } from './api'
