/** The AI model weights endpoints: the catalogue with what is installed, download (a job), delete. */
import { api, type AiModelList, type JobEnvelope } from '@/lib/api'

export const aiModelsApi = {
  list: (signal?: AbortSignal) => api.get<AiModelList>('/ml/models', undefined, signal),
  fetch: (key: string) => api.post<JobEnvelope>(`/ml/models/${encodeURIComponent(key)}/fetch`),
  remove: (key: string) => api.delete<void>(`/ml/models/${encodeURIComponent(key)}`),
}
