export { useOdStats } from './hooks/stats'
