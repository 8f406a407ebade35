import { useCallback, useState } from 'react'
import { ArrowLeftIcon, Trash2Icon } from 'lucide-react'
import { Link, useNavigate, useParams } from 'react-router'
import { toast } from 'sonner'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { isApiError, type Product } from '@/lib/api'
import { ConfirmDelete } from '../components/confirm-delete'
import { DomainBadges, StatusBadge } from '../components/domain-badges'
import { ProductEditCard } from '../components/product-edit-card'
import { ProductGallery } from '../components/product-gallery'
import { ProductVideos } from '../components/product-videos'
import { useCanWrite } from '../hooks/can-write'
import { useDeleteProduct, useProduct } from '../hooks/queries'

function DeleteProductButton({ product, disabled }: { product: Product; disabled: boolean }) {
  const [open, setOpen] = useState(false)
  const remove = useDeleteProduct()
  const navigate = useNavigate()
  return (
    <>
      <Button variant="outline" onClick={() => setOpen(true)} disabled={disabled} data-testid="delete-product">
        <Trash2Icon aria-hidden /> Delete
      </Button>
      <ConfirmDelete
        open={open}
        onOpenChange={(next) => {
          setOpen(next)
          if (!next) remove.reset()
        }}
        title={`Delete ${product.name}?`}
        description={`The product and its ${product.image_count} images are removed, files included.`}
        pending={remove.isPending}
        error={remove.error}
        onDelete={(force) =>
          remove.mutate(
            { id: product.id, force },
            {
              onSuccess: () => {
                toast.success(`Deleted ${product.name}`)
                void navigate('/products')
              },
            },
          )
        }
      />
    </>
  )
}

function Header({ product, canWrite }: { product: Product; canWrite: boolean }) {
  return (
    <PageHeader
      eyebrow={`Product · ${product.sku}`}
      title={product.name}
      description={
        <span className="flex flex-wrap items-center gap-2">
          <StatusBadge status={product.status} />
          {[product.brand, product.category].filter(Boolean).join(' · ')}
          <DomainBadges counts={product.domain_counts} />
        </span>
      }
      actions={<DeleteProductButton product={product} disabled={!canWrite} />}
    />
  )
}

export function ProductDetailPage() {
  const id = Number(useParams().id)
  const [extracting, setExtracting] = useState(false)
  const product = useProduct(id, extracting)
  const canWrite = useCanWrite()
  const onBusy = useCallback((busy: boolean) => setExtracting(busy), [])
  if (product.isPending) return <LoadingState />
  if (product.isError) {
    const missing = isApiError(product.error) && product.error.status === 404
    return (
      <Card>
        <ErrorState error={product.error} title={missing ? 'No such product' : 'Could not load the product'} onRetry={missing ? undefined : () => void product.refetch()} />
      </Card>
    )
  }
  return (
    <div data-testid="product-detail" data-product-id={product.data.id}>
      <Link to="/products" className="mb-3 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeftIcon className="size-4" aria-hidden /> Products
      </Link>
      <Header product={product.data} canWrite={canWrite} />
      <div className="grid gap-4 xl:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <div className="flex min-w-0 flex-col gap-4">
          <ProductGallery product={product.data} canWrite={canWrite} poll={extracting} />
          <ProductVideos productId={product.data.id} canWrite={canWrite} onBusy={onBusy} />
        </div>
        <div className="min-w-0">
          <ProductEditCard product={product.data} canWrite={canWrite} />
        </div>
      </div>
    </div>
  )
}
