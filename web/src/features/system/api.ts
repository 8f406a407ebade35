/** Server health and the object-detection counts. */
import { api, type Health, type OdStats } from '@/lib/api'

export const systemApi = {
  health: (signal?: AbortSignal) => api.get<Health>('/od/health', undefined, signal),
  stats: (signal?: AbortSignal) => api.get<OdStats>('/od/stats', undefined, signal),
}
