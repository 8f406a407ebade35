import { useState, type FormEvent } from 'react'
import { Loader2Icon } from 'lucide-react'
import { useNavigate } from 'react-router'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { errorMessage } from '@/lib/api'
import { createBody, EMPTY_PRODUCT_FORM, serverFieldErrors, validateProductForm, type ProductFormErrors, type ProductFormValues } from '../hooks/product-form'
import { useCreateProduct } from '../hooks/queries'
import { ProductFields } from './product-fields'

export function CreateProductDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [values, setValues] = useState<ProductFormValues>(EMPTY_PRODUCT_FORM)
  const [errors, setErrors] = useState<ProductFormErrors>({})
  const create = useCreateProduct()
  const navigate = useNavigate()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const found = validateProductForm(values)
    setErrors(found)
    if (Object.keys(found).length > 0) return
    create.mutate(createBody(values), {
      onSuccess: (product) => {
        toast.success(`Created ${product.name}`)
        onOpenChange(false)
        setValues(EMPTY_PRODUCT_FORM)
        void navigate(`/products/${product.id}`)
      },
      onError: (error) => {
        setErrors(serverFieldErrors(error))
        toast.error(errorMessage(error))
      },
    })
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-xl" data-testid="create-product-dialog">
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>New product</DialogTitle>
            <DialogDescription>A catalogue entry. Add its images on its page once it exists.</DialogDescription>
          </DialogHeader>
          <ProductFields values={values} errors={errors} onChange={(p) => setValues((v) => ({ ...v, ...p }))} prefix="new-product" />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending} data-testid="create-product">
              {create.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Create product
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
