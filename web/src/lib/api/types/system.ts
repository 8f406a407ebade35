/** Server health and the object-detection counts (`/od/health`, `/od/stats`). */

export interface HealthCheck {
  ok: boolean
  latency_ms?: number
  detail?: string | null
}

export interface Health {
  status: 'ok' | 'degraded'
  version: string
  checks: {
    database: HealthCheck
    storage: HealthCheck & { backend: string }
    jobs: HealthCheck & { runner: string; workers: number }
  }
}

export interface OdStats {
  images: number
  datasets: number
  annotations: number
  classes: number
  models: number
  jobs_running: number
}
