/** Server state of the product catalogue: the list a page at a time, one product, its images and videos, and edits. */
import { useCallback } from 'react'
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  isVideoBusy,
  queryKeys,
  type Product,
  type ProductCreate,
  type ProductDomain,
  type ProductImagePatch,
  type ProductListParams,
  type ProductPatch,
} from '@/lib/api'
import { productsApi } from '../api'

export const PRODUCT_PAGE = 50
export const IMAGE_PAGE = 48

/** Products matching the filters, a page at a time (keyset cursor; "Load more" and scrolling fetch the next). */
export function useProductPages(params: Omit<ProductListParams, 'cursor'>) {
  const full = { limit: PRODUCT_PAGE, ...params }
  return useInfiniteQuery({
    queryKey: queryKeys.products.list(full),
    queryFn: ({ pageParam, signal }) => productsApi.list({ ...full, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  })
}

/** A short list for pickers: the first matches of a search. */
export function useProductSearch(q: string, enabled = true) {
  const params = { q: q.trim() || null, limit: 20, sort: 'name' as const, order: 'asc' as const }
  return useQuery({
    queryKey: queryKeys.products.list(params),
    queryFn: ({ signal }) => productsApi.list(params, signal),
    select: (page) => page.items,
    placeholderData: keepPreviousData,
    enabled,
  })
}

export function useProductFacets() {
  return useQuery({
    queryKey: queryKeys.products.facets(),
    queryFn: ({ signal }) => productsApi.facets(signal),
    staleTime: 30_000,
  })
}

export function useProduct(id: number, poll = false) {
  return useQuery({
    refetchInterval: poll ? 2000 : false,
    queryKey: queryKeys.products.detail(id),
    queryFn: ({ signal }) => productsApi.get(id, signal),
    enabled: Number.isInteger(id) && id > 0,
    retry: (count, error) => !('status' in error && (error as { status: number }).status === 404) && count < 2,
  })
}

/** Refresh every list and count that a change to the catalogue can move (PR dataset stats too). */
export function useCatalogueChanged() {
  const queryClient = useQueryClient()
  return useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.products.all() })
    void queryClient.invalidateQueries({ queryKey: queryKeys.prDatasets.all() })
  }, [queryClient])
}

export function useCreateProduct() {
  const changed = useCatalogueChanged()
  return useMutation({ mutationFn: (body: ProductCreate) => productsApi.create(body), onSuccess: changed })
}

export function useUpdateProduct(id: number) {
  const queryClient = useQueryClient()
  const changed = useCatalogueChanged()
  return useMutation({
    mutationFn: (body: ProductPatch) => productsApi.update(id, body),
    onSuccess: (product: Product) => {
      queryClient.setQueryData(queryKeys.products.detail(id), product)
      changed()
    },
  })
}

export function useDeleteProduct() {
  const queryClient = useQueryClient()
  const changed = useCatalogueChanged()
  return useMutation({
    mutationFn: ({ id, force }: { id: number; force?: boolean }) => productsApi.remove(id, force),
    onSuccess: (_, { id }) => {
      queryClient.removeQueries({ queryKey: queryKeys.products.detail(id) })
      changed()
    },
  })
}

/** One domain's images of a product, a page at a time. */
export function useProductImages(id: number, domain: ProductDomain, { poll = false, enabled = true } = {}) {
  const params = { domain, limit: IMAGE_PAGE }
  return useInfiniteQuery({
    enabled,
    queryKey: queryKeys.products.images(id, params),
    queryFn: ({ pageParam, signal }) => productsApi.images(id, { ...params, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: poll ? 2000 : false,
  })
}

export function useUploadProductImages(id: number) {
  const changed = useCatalogueChanged()
  return useMutation({
    mutationFn: ({ files, domain }: { files: File[]; domain: ProductDomain }) => productsApi.uploadImages(id, files, domain),
    onSuccess: changed,
  })
}

/** Move an image to another product or domain (both products' counts change). */
export function useUpdateProductImage() {
  const changed = useCatalogueChanged()
  return useMutation({
    mutationFn: ({ imageId, patch }: { imageId: number; patch: ProductImagePatch }) => productsApi.updateImage(imageId, patch),
    onSuccess: changed,
  })
}

export function useDeleteProductImage() {
  const changed = useCatalogueChanged()
  return useMutation({
    mutationFn: ({ imageId, force }: { imageId: number; force?: boolean }) => productsApi.removeImage(imageId, force),
    onSuccess: changed,
  })
}

/** A product's videos; polled while one is waiting for or extracting its frames. */
export function useProductVideos(id: number) {
  return useQuery({
    queryKey: queryKeys.products.videos(id),
    queryFn: ({ signal }) => productsApi.videos(id, signal),
    select: (list) => list.items,
    refetchInterval: (query) => (query.state.data?.items.some(isVideoBusy) ? 1500 : false),
  })
}

export function useDeleteVideo(productId: number) {
  const queryClient = useQueryClient()
  const changed = useCatalogueChanged()
  return useMutation({
    mutationFn: ({ videoId, deleteFrames }: { videoId: number; deleteFrames: boolean }) =>
      productsApi.removeVideo(videoId, deleteFrames),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.products.videos(productId) })
      changed()
    },
  })
}
