/** The one query-key factory. Every TanStack Query key in the app comes from here. */
import type {
  ClassListParams,
  DatasetImageListParams,
  DatasetListParams,
  CutoutListParams,
  ImageListParams,
  JobListParams,
  MatchQueueParams,
  ModelListParams,
  PrDatasetListParams,
  PrRunListParams,
  PrSplit,
  ProductImageListParams,
  ProductListParams,
  TrainingListParams,
} from './types'

/** A list's parameters without the cursor, with absent values normalised so equal filters share a key. */
function normalised<T extends object>(params: T): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(params)) {
    if (key === 'cursor' || value === undefined || value === null || value === '') continue
    if (Array.isArray(value) && value.length === 0) continue
    out[key] = value
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

export const queryKeys = {
  all: ['shelfscope'] as const,

  auth: {
    all: () => [...queryKeys.all, 'auth'] as const,
    me: () => [...queryKeys.auth.all(), 'me'] as const,
    setup: (token: string) => [...queryKeys.auth.all(), 'setup', token] as const,
    tokens: () => [...queryKeys.auth.all(), 'tokens'] as const,
    firstRun: () => [...queryKeys.auth.all(), 'first-run'] as const,
  },

  /** User management (admins). */
  users: {
    all: () => [...queryKeys.all, 'users'] as const,
    list: () => [...queryKeys.users.all(), 'list'] as const,
  },

  system: {
    health: () => [...queryKeys.all, 'health'] as const,
  },

  od: {
    all: () => [...queryKeys.all, 'od'] as const,
    stats: () => [...queryKeys.od.all(), 'stats'] as const,
  },

  /** AI model weights on the server. */
  ml: {
    all: () => [...queryKeys.all, 'ml'] as const,
    models: () => [...queryKeys.ml.all(), 'models'] as const,
    /** The catalogue plus the registry's active trained models (`trained:<id>`), for the AI pickers. */
    withTrained: () => [...queryKeys.ml.all(), 'models', 'with-trained'] as const,
  },

  jobs: {
    all: () => [...queryKeys.all, 'jobs'] as const,
    lists: () => [...queryKeys.jobs.all(), 'list'] as const,
    list: (params: Omit<JobListParams, 'cursor'> = {}) =>
      [
        ...queryKeys.jobs.lists(),
        { limit: params.limit ?? null, status: params.status ?? null, kind: params.kind ?? null, queue: params.queue ?? null },
      ] as const,
    details: () => [...queryKeys.jobs.all(), 'detail'] as const,
    detail: (id: number) => [...queryKeys.jobs.details(), id] as const,
    logs: (id: number) => [...queryKeys.jobs.detail(id), 'logs'] as const,
    metrics: (id: number) => [...queryKeys.jobs.detail(id), 'metrics'] as const,
  },

  images: {
    all: () => [...queryKeys.od.all(), 'images'] as const,
    lists: () => [...queryKeys.images.all(), 'list'] as const,
    list: (params: ImageListParams = {}) => [...queryKeys.images.lists(), normalised(params)] as const,
    details: () => [...queryKeys.images.all(), 'detail'] as const,
    detail: (id: number) => [...queryKeys.images.details(), id] as const,
    facets: () => [...queryKeys.images.all(), 'facets'] as const,
  },

  classes: {
    all: () => [...queryKeys.od.all(), 'classes'] as const,
    lists: () => [...queryKeys.classes.all(), 'list'] as const,
    list: (params: ClassListParams = {}) => [...queryKeys.classes.lists(), normalised(params)] as const,
    categories: () => [...queryKeys.classes.all(), 'categories'] as const,
    detail: (id: number) => [...queryKeys.classes.all(), 'detail', id] as const,
    history: (id: number) => [...queryKeys.classes.detail(id), 'history'] as const,
    deletePreview: (id: number) => [...queryKeys.classes.detail(id), 'delete-preview'] as const,
    mergePreview: (sourceIds: readonly number[], targetId: number) =>
      [...queryKeys.classes.all(), 'merge-preview', [...sourceIds].sort((a, b) => a - b), targetId] as const,
    changes: () => [...queryKeys.classes.all(), 'changes'] as const,
  },

  datasets: {
    all: () => [...queryKeys.od.all(), 'datasets'] as const,
    lists: () => [...queryKeys.datasets.all(), 'list'] as const,
    list: (params: DatasetListParams = {}) => [...queryKeys.datasets.lists(), normalised(params)] as const,
    detail: (id: number) => [...queryKeys.datasets.all(), 'detail', id] as const,
    stats: (id: number) => [...queryKeys.datasets.detail(id), 'stats'] as const,
    images: (id: number, params: DatasetImageListParams = {}) =>
      [...queryKeys.datasets.detail(id), 'images', normalised(params)] as const,
    versions: (id: number) => [...queryKeys.datasets.detail(id), 'versions'] as const,
    version: (id: number, number: number) => [...queryKeys.datasets.versions(id), number] as const,
    labelSet: (id: number) => [...queryKeys.datasets.detail(id), 'label-set'] as const,
  },

  /** The annotation queue and editor. */
  annotate: {
    all: () => [...queryKeys.od.all(), 'editor'] as const,
    image: (datasetId: number, imageId: number) => [...queryKeys.annotate.all(), 'image', datasetId, imageId] as const,
    neighbors: (datasetId: number, imageId: number) =>
      [...queryKeys.annotate.all(), 'neighbors', datasetId, imageId] as const,
    classes: () => [...queryKeys.annotate.all(), 'classes'] as const,
    datasets: () => [...queryKeys.annotate.all(), 'datasets'] as const,
    next: (datasetId: number) => [...queryKeys.annotate.all(), 'next', datasetId] as const,
  },

  /** Detector training runs, the architectures and trainer environments. */
  training: {
    all: () => [...queryKeys.od.all(), 'training'] as const,
    lists: () => [...queryKeys.training.all(), 'list'] as const,
    list: (params: TrainingListParams = {}) => [...queryKeys.training.lists(), normalised(params)] as const,
    detail: (id: number) => [...queryKeys.training.all(), 'detail', id] as const,
    metrics: (id: number) => [...queryKeys.training.detail(id), 'metrics'] as const,
    architectures: () => [...queryKeys.training.all(), 'architectures'] as const,
    trainers: () => [...queryKeys.training.all(), 'trainers'] as const,
    estimate: (params: object) => [...queryKeys.training.all(), 'estimate', normalised(params)] as const,
  },

  /** The model registry: trained detectors. */
  models: {
    all: () => [...queryKeys.od.all(), 'models'] as const,
    lists: () => [...queryKeys.models.all(), 'list'] as const,
    list: (params: ModelListParams = {}) => [...queryKeys.models.lists(), normalised(params)] as const,
    detail: (id: number) => [...queryKeys.models.all(), 'detail', id] as const,
    compare: (ids: readonly number[]) => [...queryKeys.models.all(), 'compare', [...ids].sort((a, b) => a - b)] as const,
  },

  /** Product recognition: the catalogue, cutouts and PR datasets. */
  pr: {
    all: () => [...queryKeys.all, 'pr'] as const,
  },

  /** The product catalogue: products, their images by domain and their videos. */
  products: {
    all: () => [...queryKeys.pr.all(), 'products'] as const,
    lists: () => [...queryKeys.products.all(), 'list'] as const,
    list: (params: ProductListParams = {}) => [...queryKeys.products.lists(), normalised(params)] as const,
    facets: () => [...queryKeys.products.all(), 'facets'] as const,
    detail: (id: number) => [...queryKeys.products.all(), 'detail', id] as const,
    images: (id: number, params: ProductImageListParams = {}) =>
      [...queryKeys.products.detail(id), 'images', normalised(params)] as const,
    videos: (id: number) => [...queryKeys.products.detail(id), 'videos'] as const,
  },

  /** Product crops cut from shelf photos. */
  cutouts: {
    all: () => [...queryKeys.pr.all(), 'cutouts'] as const,
    lists: () => [...queryKeys.cutouts.all(), 'list'] as const,
    list: (params: CutoutListParams = {}) => [...queryKeys.cutouts.lists(), normalised(params)] as const,
    detail: (id: number) => [...queryKeys.cutouts.all(), 'detail', id] as const,
  },

  /** Product-recognition datasets, their stats and frozen versions. */
  prDatasets: {
    all: () => [...queryKeys.pr.all(), 'datasets'] as const,
    lists: () => [...queryKeys.prDatasets.all(), 'list'] as const,
    list: (params: PrDatasetListParams = {}) => [...queryKeys.prDatasets.lists(), normalised(params)] as const,
    detail: (id: number) => [...queryKeys.prDatasets.all(), 'detail', id] as const,
    stats: (id: number) => [...queryKeys.prDatasets.detail(id), 'stats'] as const,
    versions: (id: number) => [...queryKeys.prDatasets.detail(id), 'versions'] as const,
  },

  /** Embedding training runs, their checkpoints, frozen images and evaluations; the backbones. */
  prTraining: {
    all: () => [...queryKeys.pr.all(), 'training'] as const,
    lists: () => [...queryKeys.prTraining.all(), 'list'] as const,
    list: (params: PrRunListParams = {}) => [...queryKeys.prTraining.lists(), normalised(params)] as const,
    detail: (id: number) => [...queryKeys.prTraining.all(), 'detail', id] as const,
    checkpoints: (id: number) => [...queryKeys.prTraining.detail(id), 'checkpoints'] as const,
    images: (id: number, split: PrSplit | null) => [...queryKeys.prTraining.detail(id), 'images', split] as const,
    evaluation: (id: number) => [...queryKeys.prTraining.detail(id), 'evaluation'] as const,
    backbones: () => [...queryKeys.prTraining.all(), 'backbones'] as const,
  },

  /** Registered embedding models and their comparisons. */
  prModels: {
    all: () => [...queryKeys.pr.all(), 'models'] as const,
    list: () => [...queryKeys.prModels.all(), 'list'] as const,
    detail: (id: number) => [...queryKeys.prModels.all(), 'detail', id] as const,
    compare: (ids: readonly number[]) => [...queryKeys.prModels.all(), 'compare', [...ids].sort((a, b) => a - b)] as const,
  },

  /** Embedding collections, the models extraction can use. */
  embeddings: {
    all: () => [...queryKeys.pr.all(), 'embeddings'] as const,
    models: () => [...queryKeys.embeddings.all(), 'models'] as const,
    collections: () => [...queryKeys.embeddings.all(), 'collections'] as const,
    collection: (id: number) => [...queryKeys.embeddings.collections(), id] as const,
  },

  /** The matching queue of one collection, its counts, bulk-accept previews and shelf views. */
  matching: {
    all: () => [...queryKeys.pr.all(), 'matching'] as const,
    queue: (params: Omit<MatchQueueParams, 'cursor'>) => [...queryKeys.matching.all(), 'queue', normalised(params)] as const,
    summary: (collectionId: number) => [...queryKeys.matching.all(), 'summary', collectionId] as const,
    bulkPreview: (collectionId: number, threshold: number) =>
      [...queryKeys.matching.all(), 'bulk-preview', collectionId, threshold] as const,
    images: (collectionId: number | null) => [...queryKeys.matching.all(), 'images', collectionId] as const,
    image: (imageId: number, collectionId: number | null) => [...queryKeys.matching.all(), 'image', imageId, collectionId] as const,
    productSearch: (q: string) => [...queryKeys.matching.all(), 'product-search', q] as const,
  },

  /** AI auto-annotation: the model catalogue, batch runs and the review queue. */
  ai: {
    all: () => [...queryKeys.all, 'ai'] as const,
    annotate: (jobId: number) => [...queryKeys.ai.all(), 'annotate', jobId] as const,
    reviews: (datasetId: number) => [...queryKeys.ai.all(), 'review', datasetId] as const,
    review: (datasetId: number, params: { limit?: number } = {}) =>
      [...queryKeys.ai.reviews(datasetId), 'list', normalised(params)] as const,
    reviewStats: (datasetId: number) => [...queryKeys.ai.reviews(datasetId), 'stats'] as const,
  },
} as const
