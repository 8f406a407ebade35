import { useState } from 'react'
import { Loader2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { errorMessage, type ProductImage } from '@/lib/api'
import { useUpdateProductImage } from '../hooks/queries'
import { ProductPicker, type PickedProduct } from './product-picker'

/** Give an image to another product (the one it was filed under by mistake); it keeps its domain. */
export function MoveImageDialog({ image, open, onOpenChange }: { image: ProductImage; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [target, setTarget] = useState<PickedProduct | null>(null)
  const update = useUpdateProductImage()
  const move = () => {
    if (!target) return
    update.mutate(
      { imageId: image.id, patch: { product_id: target.id } },
      {
        onSuccess: () => {
          toast.success(`Moved ${image.filename} to ${target.name}`)
          onOpenChange(false)
        },
        onError: (e) => toast.error(errorMessage(e)),
      },
    )
  }
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="move-image-dialog">
        <DialogHeader>
          <DialogTitle>Move image to another product</DialogTitle>
          <DialogDescription>{image.filename} moves with its domain; both products&apos; counts change.</DialogDescription>
        </DialogHeader>
        <ProductPicker value={target} onChange={setTarget} excludeId={image.product_id} className="w-full" testId="move-target" />
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button onClick={move} disabled={!target || update.isPending} data-testid="move-image-confirm">
            {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Move
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
