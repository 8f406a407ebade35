export { cutoutsApi } from './api'
export { boxPercent } from './hooks/logic'
