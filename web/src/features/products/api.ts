/** The product catalogue endpoints: products, facets, images by domain, videos and the catalogue import. */
import {
  api,
  apiRequest,
  postForm,
  type CatalogueImportOptions,
  type FramePolicy,
  type JobEnvelope,
  type Page,
  type Product,
  type ProductCreate,
  type ProductDomain,
  type ProductFacets,
  type ProductFilters,
  type ProductImage,
  type ProductImageListParams,
  type ProductImagePatch,
  type ProductImageUploadResult,
  type ProductListParams,
  type ProductPatch,
  type ProductVideo,
  type QueryValue,
  type UploadOptions,
  type VideoUploadStarted,
} from '@/lib/api'

/** Product filters as query parameters. */
export function productFilterQuery(filters: ProductFilters): Record<string, QueryValue> {
  return {
    q: filters.q?.trim() || undefined,
    brand: filters.brand,
    category: filters.category,
    status: filters.status,
    has_domain: filters.has_domain,
    missing_domain: filters.missing_domain,
    min_images_below: filters.min_images_below,
  }
}

/** The multipart body of a catalogue import: the file, the optional zip, and the JSON-encoded maps. */
export function catalogueForm(catalogue: File, images: File | null, options: CatalogueImportOptions): FormData {
  const form = new FormData()
  form.append('catalogue', catalogue, catalogue.name)
  if (images) form.append('images', images, images.name)
  form.append('on_existing', options.on_existing ?? 'fail')
  if (options.columns && Object.keys(options.columns).length > 0) form.append('columns', JSON.stringify(options.columns))
  if (options.domain_map && Object.keys(options.domain_map).length > 0) form.append('domain_map', JSON.stringify(options.domain_map))
  return form
}

export const productsApi = {
  list: (params: ProductListParams = {}, signal?: AbortSignal) =>
    api.get<Page<Product>>(
      '/pr/products',
      { ...productFilterQuery(params), sort: params.sort, order: params.order, limit: params.limit, cursor: params.cursor },
      signal,
    ),
  facets: (signal?: AbortSignal) => api.get<ProductFacets>('/pr/products/facets', undefined, signal),
  get: (id: number, signal?: AbortSignal) => api.get<Product>(`/pr/products/${id}`, undefined, signal),
  create: (body: ProductCreate) => api.post<Product>('/pr/products', body),
  update: (id: number, body: ProductPatch) => api.patch<Product>(`/pr/products/${id}`, body),
  /** 409 with `versions` when a frozen PR dataset version uses its images and `force` is not set. */
  remove: (id: number, force = false) =>
    apiRequest<void>(`/pr/products/${id}`, { method: 'DELETE', query: { force: force ? true : undefined } }),

  images: (id: number, params: ProductImageListParams = {}, signal?: AbortSignal) =>
    api.get<Page<ProductImage>>(
      `/pr/products/${id}/images`,
      { domain: params.domain, limit: params.limit, cursor: params.cursor },
      signal,
    ),
  uploadImages: (id: number, files: readonly File[], domain: ProductDomain, options: UploadOptions = {}) => {
    const form = new FormData()
    for (const file of files) form.append('files', file, file.name)
    form.append('domain', domain)
    return postForm<ProductImageUploadResult>(`/pr/products/${id}/images`, form, [200, 207], options)
  },
  updateImage: (imageId: number, body: ProductImagePatch) => api.patch<ProductImage>(`/pr/images/${imageId}`, body),
  removeImage: (imageId: number, force = false) =>
    apiRequest<void>(`/pr/images/${imageId}`, { method: 'DELETE', query: { force: force ? true : undefined } }),

  videos: (id: number, signal?: AbortSignal) =>
    api.get<{ items: ProductVideo[] }>(`/pr/products/${id}/videos`, undefined, signal),
  /** 202 with the `pr.videos.extract_frames` job and the video row. */
  uploadVideo: (id: number, file: File, policy: FramePolicy, options: UploadOptions = {}) => {
    const form = new FormData()
    form.append('file', file, file.name)
    form.append('mode', policy.mode)
    form.append('every_s', String(policy.every_s))
    form.append('max_frames', String(policy.max_frames))
    return postForm<VideoUploadStarted>(`/pr/products/${id}/videos`, form, [202], options)
  },
  removeVideo: (videoId: number, deleteFrames = false) =>
    apiRequest<void>(`/pr/videos/${videoId}`, {
      method: 'DELETE',
      query: { delete_frames: deleteFrames ? true : undefined },
    }),

  /** 202 with the `pr.catalogue.import` job; header or encoding problems answer 422 at once. */
  importCatalogue: (catalogue: File, images: File | null, options: CatalogueImportOptions & UploadOptions = {}) =>
    postForm<JobEnvelope>('/pr/catalogue/import', catalogueForm(catalogue, images, options), [202], options),
}
