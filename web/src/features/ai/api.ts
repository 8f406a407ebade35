/** The AI endpoints: the model catalogue, batch auto-annotation, one-image detect, SAM and the review queue. */
import {
  api,
  type AnnotateRequest,
  type AnnotateStatus,
  type DetectRequest,
  type DetectResponse,
  type JobEnvelope,
  type AiModelList,
  type ReviewPage,
  type ReviewStats,
  type SegmentRequest,
  type SegmentResponse,
} from '@/lib/api'

export const aiApi = {
  /** The catalogue and the registry's active trained models (the default first). */
  models: (signal?: AbortSignal) => api.get<AiModelList>('/ml/models', { include_trained: true }, signal),
  /** 202 with the batch job. */
  annotate: (body: AnnotateRequest) => api.post<JobEnvelope>('/od/ai/annotate', body),
  annotateStatus: (jobId: number, signal?: AbortSignal) => api.get<AnnotateStatus>(`/od/ai/annotate/${jobId}`, undefined, signal),
  /** Stores the predictions as pending AI annotations (replacing this model's pending ones) and returns them. */
  detect: (body: DetectRequest, signal?: AbortSignal) => api.post<DetectResponse>('/od/ai/detect', body, { signal }),
  segment: (body: SegmentRequest, signal?: AbortSignal) => api.post<SegmentResponse>('/od/ai/segment', body, { signal }),
  /** Images with pending predictions in dataset order; `afterImageId`: the ones after that image. */
  review: (datasetId: number, params: { limit?: number; cursor?: string | null; afterImageId?: number | null } = {}, signal?: AbortSignal) =>
    api.get<ReviewPage>('/od/ai/review', { dataset_id: datasetId, limit: params.limit, cursor: params.cursor, after_image_id: params.afterImageId }, signal),
  reviewStats: (datasetId: number, signal?: AbortSignal) =>
    api.get<ReviewStats>('/od/ai/review/stats', { dataset_id: datasetId }, signal),
}
