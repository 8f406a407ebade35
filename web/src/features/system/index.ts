export { HealthFooter } from './components/health-footer'
export { useHealth, useOdStats } from './hooks/system'
